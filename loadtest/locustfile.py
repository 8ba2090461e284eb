"""Mixed reads and writes against Connectivity, for `make loadtest` (loadtest/run.sh starts everything).

Half the users are an internal system on the API (a write-scoped token; every POST carries an Idempotency-Key,
and some are sent twice, as a client retrying after a timeout would); the other half are people on the pages
(signed in with a session, logging conversations through the quick-log form). Every write the server
acknowledges is appended to LOADTEST_ACKS, one JSON line each, so run.sh can look for it in the database.

Runs in its own virtualenv (gevent patches the process): it imports nothing from the project.
"""

# ruff: noqa: S311 - random picks which request to make next; nothing here is a secret

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from locust import HttpUser, between, task

TOKEN = os.environ.get("LOADTEST_TOKEN", "")
ACKS_PATH = os.environ.get("LOADTEST_ACKS", "var/loadtest/acks.jsonl")
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "connectivity-demo")
PEOPLE = ["alice@example.com", "dana@example.com", "erin@example.com", "bob@example.com"]
CHANNELS = ["phone", "video", "site_visit"]
TOPICS = ["delivery", "quality", "pricing", "billing"]
SEARCHES = ["delivery", "late", "quality", "invoice"]

_acks = open(ACKS_PATH, "a", encoding="utf-8")  # noqa: SIM115 - one handle for the whole run, closed at exit


def acknowledge(kind: str, **fields: Any) -> None:
    """Record a write the server said it made (greenlets do not interleave within one write)."""
    _acks.write(json.dumps({"kind": kind, **fields}) + "\n")
    _acks.flush()


def marker() -> str:
    return f"loadtest-{uuid.uuid4().hex}"


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json().get("results", [])]


class ApiClientUser(HttpUser):
    """An internal system: reads lists and details, logs conversations, updates accounts with their version."""

    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {TOKEN}"
        self.accounts = ids(self.client.get("/api/v1/accounts", name="/api/v1/accounts"))
        self.departments = ids(self.client.get("/api/v1/departments", name="/api/v1/departments"))

    @task(5)
    def account_list(self) -> None:
        self.client.get("/api/v1/accounts", name="/api/v1/accounts")

    @task(3)
    def account_detail(self) -> None:
        self.client.get(f"/api/v1/accounts/{random.choice(self.accounts)}", name="/api/v1/accounts/[id]")

    @task(2)
    def contact_logs(self) -> None:
        self.client.get("/api/v1/contact-logs", name="/api/v1/contact-logs")

    @task(2)
    def issues(self) -> None:
        self.client.get("/api/v1/issues", name="/api/v1/issues")

    @task(1)
    def plans(self) -> None:
        self.client.get("/api/v1/action-plans", name="/api/v1/action-plans")

    @task(3)
    def log_conversation(self) -> None:
        key, summary = uuid.uuid4().hex, marker()
        body: dict[str, Any] = {
            "account": random.choice(self.accounts),
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=random.randint(120, 600))).isoformat(),
            "channel": random.choice(CHANNELS),
            "topics": [random.choice(TOPICS)],
            "summary": f"{summary} They asked for the delivery schedule in writing.",
        }
        if random.random() < 0.3:
            body["issues"] = [{"department": random.choice(self.departments), "verbatim": f"{summary} Late again."}]
        headers = {"Idempotency-Key": key}
        created = self.client.post("/api/v1/contact-logs", json=body, headers=headers, name="/api/v1/contact-logs")
        if created.status_code != 201:
            return
        acknowledged_id = created.json()["id"]
        acknowledge("api-contact-log", id=acknowledged_id, key=key, marker=summary)
        if random.random() < 0.2:  # a client that never saw the answer retries: same key, same body
            with self.client.post(
                "/api/v1/contact-logs",
                json=body,
                headers=headers,
                name="/api/v1/contact-logs (retry)",
                catch_response=True,
            ) as retry:
                replayed = retry.headers.get("Idempotent-Replayed") == "true"
                if retry.status_code != 201 or not replayed or retry.json()["id"] != acknowledged_id:
                    retry.failure(f"retry was not a replay: {retry.status_code} {retry.text[:200]}")

    @task(1)
    def update_account(self) -> None:
        """Read, then PATCH with If-Match; a 412 (someone changed it meanwhile) is re-read and tried once more."""
        account = random.choice(self.accounts)
        industry = marker()
        for _attempt in range(2):
            read = self.client.get(f"/api/v1/accounts/{account}", name="/api/v1/accounts/[id]")
            with self.client.patch(
                f"/api/v1/accounts/{account}",
                json={"industry": industry},
                headers={"If-Match": read.headers.get("ETag", "")},
                name="/api/v1/accounts/[id] PATCH",
                catch_response=True,
            ) as patched:
                if patched.status_code == 412:
                    patched.success()  # refused, not lost: the caller is told, and re-reads
                    continue
                if patched.status_code == 200:
                    acknowledge("api-account-update", id=account, industry=industry)
                return


class PersonUser(HttpUser):
    """Someone at a browser: the home page, lists, an account, the inbox, search, and logging a conversation."""

    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.get("/login/", name="/login/")
        email = random.choice(PEOPLE)
        self.client.post(
            "/login/",
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
            name="/login/ POST",
        )
        self.accounts = ids(self.client.get("/api/v1/accounts", name="/api/v1/accounts (session)"))

    @task(4)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(4)
    def account_list(self) -> None:
        self.client.get("/accounts/", name="/accounts/")

    @task(3)
    def account_detail(self) -> None:
        self.client.get(f"/accounts/{random.choice(self.accounts)}/", name="/accounts/[id]/")

    @task(2)
    def inbox(self) -> None:
        self.client.get("/feedback/inbox/", name="/feedback/inbox/")

    @task(2)
    def plans(self) -> None:
        self.client.get("/plans/", name="/plans/")

    @task(1)
    def search(self) -> None:
        self.client.get(f"/feedback/search/?q={random.choice(SEARCHES)}", name="/feedback/search/")

    @task(2)
    def quick_log(self) -> None:
        account = random.choice(self.accounts)
        self.client.get(f"/feedback/log/?account={account}", name="/feedback/log/")
        summary = marker()
        when = datetime.now().replace(second=0, microsecond=0) - timedelta(minutes=random.randint(120, 600))  # noqa: DTZ005 - the form takes local time
        form = {
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            "account": account,
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "channel": random.choice(CHANNELS),
            "topics": [random.choice(TOPICS)],
            "summary": f"{summary} Happy with the new contact person.",
            "rating": str(random.randint(1, 5)),
        }
        with self.client.post(
            "/feedback/log/", form, name="/feedback/log/ POST", allow_redirects=False, catch_response=True
        ) as posted:
            if posted.status_code == 302:
                acknowledge("page-contact-log", marker=summary)
            else:
                posted.failure(f"not logged: {posted.status_code}")
