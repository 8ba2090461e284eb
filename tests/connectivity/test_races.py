"""Races on PostgreSQL, with real threads, real connections and no stand-ins: no update is lost, no POST doubled.

Each race is made certain rather than lucky. A third connection holds a lock the two requests need (the row they
update, or the idempotency-key table); both requests are started, and only when PostgreSQL shows both of them
waiting on that lock is it released, so they go on at the same instant. SQLite serialises writers, so it cannot
race: these tests skip there (CI runs them on PostgreSQL).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account
from actionplans.models import ActionPlan
from feedback.models import ContactLog, Issue, IssueHandoff
from kernel.models import IdempotencyKey
from organization.models import Department, User
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    ContactLogFactory,
    DepartmentFactory,
    IssueFactory,
    SegmentFactory,
    days_from_today,
)

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so two requests never overlap",
    ),
    pytest.mark.django_db(transaction=True),
]


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s",
            [connection.settings_dict["NAME"]],
        )
        return int(cursor.fetchone()[0])


@contextmanager
def held(sql: str, params: list[Any]) -> Iterator[None]:
    """Hold a lock from a connection of our own until the block ends (released by rolling back)."""
    import psycopg2

    db = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or "127.0.0.1", port=db["PORT"]
    )
    try:
        with blocker.cursor() as cursor:
            cursor.execute(sql, params)
        yield
    finally:
        blocker.rollback()
        blocker.close()


def race(lock_sql: str, lock_params: list[Any], *requests: Callable[[], Any]) -> list[Any]:
    """Run the requests in threads of their own, released together once all of them wait on the held lock."""
    responses: list[Any] = [None] * len(requests)

    def run(index: int) -> None:
        try:
            responses[index] = requests[index]()
        finally:
            connection.close()  # this thread's connection

    with held(lock_sql, lock_params):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while waiting_on_locks() < len(requests) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_on_locks() == len(requests), "the requests never met at the lock"
    for thread in threads:
        thread.join(timeout=30)
    return responses


def person(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def system(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


ROW_LOCK = "SELECT id FROM {table} WHERE id = %s FOR UPDATE"
KEY_TABLE_LOCK = "LOCK TABLE connectivity_idempotencykey IN SHARE ROW EXCLUSIVE MODE"  # blocks inserts, not reads


# --- two updates of the same version: one wins, the other is told, nothing is lost --------------------------------


def test_two_patches_of_one_account_version_one_wins_and_the_other_gets_412(write_token: str, alice: User) -> None:
    account = AccountFactory.create(owner=alice, name="Northwind")
    url = reverse("api:account", kwargs={"pk": account.pk})

    def rename(name: str) -> Callable[[], Any]:
        return lambda: system(write_token).patch(url, {"name": name}, format="json", headers={"If-Match": '"1"'})

    first, second = race(ROW_LOCK.format(table="accounts_account"), [account.pk], rename("North"), rename("Wind"))

    assert sorted([first.status_code, second.status_code]) == [200, 412]
    winner = first if first.status_code == 200 else second
    account.refresh_from_db()
    assert (account.name, account.version) == (winner.json()["name"], 2)
    assert winner["ETag"] == '"2"'


def test_two_patches_of_one_contact_log_version_one_wins_and_the_other_gets_412(alice: User) -> None:
    log = ContactLogFactory.create(account=AccountFactory.create(owner=alice), author=alice, summary="Draft.")
    url = reverse("api:contact-log", kwargs={"pk": log.pk})

    def edit(summary: str) -> Callable[[], Any]:
        return lambda: person(alice).patch(url, {"summary": summary, "version": 1}, format="json")

    first, second = race(ROW_LOCK.format(table="feedback_contactlog"), [log.pk], edit("Mine."), edit("Theirs."))

    assert sorted([first.status_code, second.status_code]) == [200, 412]
    winner = first if first.status_code == 200 else second
    log.refresh_from_db()
    assert (log.summary, log.version) == (winner.json()["summary"], 2)
    assert log.history.count() == 2  # created, then the one edit that won


def test_two_patches_of_one_plan_version_one_wins_and_the_other_gets_412(alice: User, engineering: Any) -> None:
    plan = ActionPlanFactory.create(account=AccountFactory.create(owner=alice), department=engineering, owner=alice)
    url = reverse("api:action-plan", kwargs={"pk": plan.pk})

    def retitle(title: str) -> Callable[[], Any]:
        return lambda: person(alice).patch(url, {"title": title}, format="json", headers={"If-Match": '"1"'})

    first, second = race(ROW_LOCK.format(table="actionplans_actionplan"), [plan.pk], retitle("A"), retitle("B"))

    assert sorted([first.status_code, second.status_code]) == [200, 412]
    winner = first if first.status_code == 200 else second
    plan.refresh_from_db()
    assert (plan.title, plan.version) == (winner.json()["title"], 2)


def test_two_hand_offs_of_one_issue_version_one_wins_and_the_other_gets_412(bob: User, engineering: Any) -> None:
    issue = IssueFactory.create(department=engineering)
    quality = DepartmentFactory.create(name="Quality", slug="quality")
    billing = DepartmentFactory.create(name="Billing", slug="billing")
    url = reverse("api:issue-handoff", kwargs={"pk": issue.pk})

    def hand_to(department: Department) -> Callable[[], Any]:
        body = {"to_department": department.pk, "note": f"For {department.name}.", "version": 1}
        return lambda: person(bob).post(url, body, format="json")

    first, second = race(ROW_LOCK.format(table="feedback_issue"), [issue.pk], hand_to(quality), hand_to(billing))

    assert sorted([first.status_code, second.status_code]) == [200, 412]
    assert IssueHandoff.objects.count() == 1
    assert Issue.objects.get().version == 2


# --- two clicks on one create button: one row, and both land on it ------------------------------------------------


def test_two_clicks_on_create_plan_at_once_make_one_plan(bob: User, engineering: Any) -> None:
    issue = IssueFactory.create(department=engineering)
    url = reverse("actionplans:from-issue", args=[issue.pk])
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(bob)

    first, second = race(ROW_LOCK.format(table="feedback_issue"), [issue.pk], *(partial(b.post, url) for b in browsers))

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # the second click lands on the plan the first made
    assert ActionPlan.objects.count() == ActionPlan.issues.through.objects.count() == 1


# --- two POSTs with one Idempotency-Key: one row, the same answer twice ------------------------------------------


def twice_with_one_key(api: Callable[[], APIClient], url: str, body: dict[str, Any]) -> list[Any]:
    def post() -> Any:
        return api().post(url, body, format="json", headers={"Idempotency-Key": "one-key"})

    return race(KEY_TABLE_LOCK, [], post, post)


def assert_one_run_and_one_replay(responses: list[Any]) -> None:
    first, second = responses
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert IdempotencyKey.objects.count() == 1


def test_two_concurrent_account_posts_with_one_key_create_one_account(write_token: str, alice: User) -> None:
    SegmentFactory.create(name="Utilities", slug="utilities")
    body = {"name": "Contoso", "segment": "utilities", "owner": alice.pk}

    responses = twice_with_one_key(lambda: system(write_token), reverse("api:accounts"), body)

    assert_one_run_and_one_replay(responses)
    assert Account.objects.filter(name="Contoso").count() == 1


def test_two_concurrent_contact_log_posts_with_one_key_create_one_log(write_token: str, alice: User) -> None:
    account = AccountFactory.create(owner=alice)
    body = {
        "account": account.pk,
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "channel": "phone",
        "summary": "They want the outage report by Friday.",
        "issues": [{"department": DepartmentFactory.create().pk, "verbatim": "The report is late."}],
    }

    responses = twice_with_one_key(lambda: system(write_token), reverse("api:contact-logs"), body)

    assert_one_run_and_one_replay(responses)
    assert ContactLog.objects.count() == 1
    assert Issue.objects.count() == 1


def test_two_concurrent_plan_posts_with_one_key_create_one_plan(alice: User, engineering: Any) -> None:
    account = AccountFactory.create(owner=alice)
    body = {
        "account": account.pk,
        "title": "Send a named engineer",
        "owner": alice.pk,
        "department": engineering.pk,
        "due_on": days_from_today(10).isoformat(),
        "steps": [{"title": "Call the plant manager"}],
    }

    responses = twice_with_one_key(lambda: person(alice), reverse("api:action-plans"), body)

    assert_one_run_and_one_replay(responses)
    assert ActionPlan.objects.count() == 1
