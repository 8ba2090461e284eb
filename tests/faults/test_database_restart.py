"""PostgreSQL restarted under load: requests fail cleanly (503, a clear body, nothing half-written) and the app
recovers by itself.

The app runs as it does in production: gunicorn with two workers, DEBUG off, persistent connections
(CONN_MAX_AGE) with health checks, on a throwaway PostgreSQL cluster of this test's own. Four clients read and
write through the API while the cluster is stopped (fast shutdown: open connections are cut), kept down, and
started again; gunicorn is never restarted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from connectivity.middleware import MESSAGE
from organization.models import User
from tests.conftest import subprocess_env
from tests.connectivity.test_worker import ROOT
from tests.faults.conftest import PostgresCluster, free_port, wait_until

SETUP = """
import json
from organization import services
from organization.models import Department
department = Department.objects.create(name="Engineering", slug="engineering")
_, token = services.create_api_client(name="faults", department=department, can_read=True, can_write=True)
print(json.dumps({"token": token}))
"""


GUNICORN = [sys.executable, "-m", "gunicorn", "connectivity.wsgi:application"]


@dataclass
class App:
    url: str
    token: str
    gunicorn: subprocess.Popen[str]


@pytest.fixture
def app(pg_cluster: PostgresCluster, tmp_path: Path) -> Iterator[App]:
    pg_cluster.create_database("connectivity")
    env = subprocess_env(
        DATABASE_URL=pg_cluster.url("connectivity"),
        DATABASE_CONN_MAX_AGE="60",
        DEBUG="false",
        SECRET_KEY="fault-tests-only-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        CELERY_BROKER_URL="memory://",
        API_THROTTLE_RATE="100000/min",
        VAR_DIR=str(tmp_path / "var"),
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=180)
    setup = subprocess.run(
        [*manage, "shell", "-v0", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    token = json.loads(setup.stdout.strip().splitlines()[-1])["token"]
    port = free_port(8790)
    log = (tmp_path / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30", "--access-logfile", "-"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = App(url=f"http://127.0.0.1:{port}", token=token, gunicorn=gunicorn)
    assert wait_until(lambda: call(server, "GET", "/api/v1/departments")[0] == 200, seconds=60, interval=0.25)
    yield server
    gunicorn.terminate()
    gunicorn.wait(timeout=30)
    log.close()


def call(app: App, method: str, path: str, body: dict[str, Any] | None = None, key: str = "") -> tuple[int, str]:
    """One request; (status, body), with 0 for no HTTP answer at all (the test fails on those)."""
    headers = {"Authorization": f"Bearer {app.token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(app.url + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - our own server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


@dataclass
class Outcome:
    at: float
    kind: str
    status: int
    body: str


def test_a_postgresql_restart_under_load_fails_cleanly_and_recovers_without_restarting_the_app(
    app: App, pg_cluster: PostgresCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes: list[Outcome] = []
    acknowledged: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def record(kind: str, status: int, body: str) -> None:
        with lock:
            outcomes.append(Outcome(time.monotonic(), kind, status, body))

    def reader() -> None:
        while not stop.is_set():
            record("read", *call(app, "GET", "/api/v1/departments"))

    def writer() -> None:
        while not stop.is_set():
            name, key = f"Team {uuid.uuid4().hex[:12]}", uuid.uuid4().hex
            while True:  # a 503 is retried with the same key, as a careful client does: never twice
                status, body = call(app, "POST", "/api/v1/departments", {"name": name}, key=key)
                record("write", status, body)
                if status != 503:
                    break
                time.sleep(0.2)
            if status == 201:
                with lock:
                    acknowledged.append(name)

    clients = [threading.Thread(target=reader) for _ in range(2)] + [threading.Thread(target=writer) for _ in range(2)]
    for thread in clients:
        thread.start()
    time.sleep(2)
    stopped_at = time.monotonic()
    pg_cluster.stop("fast")  # cuts every open connection, as a restart or fail-over does
    time.sleep(3)
    pg_cluster.start()
    started_at = time.monotonic()
    time.sleep(5)
    stop.set()
    for thread in clients:
        thread.join(timeout=60)

    statuses = sorted({o.status for o in outcomes})
    unavailable = [o for o in outcomes if o.status == 503]
    after = [o for o in outcomes if o.at > started_at + 2]
    found = set(pg_cluster.query("SELECT name FROM organization_department", database="connectivity"))
    with capsys.disabled():
        print(  # noqa: T201 - the figures docs/reliability.md quotes
            f"\n[faults] PostgreSQL down {started_at - stopped_at:.1f} s under load: {len(outcomes)} requests, "
            f"statuses {statuses}, {len(unavailable)} × 503, {len(after)} after recovery all "
            f"{sorted({o.status for o in after})}; writes acknowledged {len(acknowledged)}, found "
            f"{len(found & set(acknowledged))}"
        )

    assert set(statuses) <= {200, 201, 503}, [o for o in outcomes if o.status not in {200, 201, 503}][:3]
    assert unavailable, "the restart never reached a request"
    assert all(json.loads(o.body) == {"detail": MESSAGE, "errors": {}} for o in unavailable)
    assert after and {o.status for o in after} <= {200, 201}
    assert app.gunicorn.poll() is None
    assert set(acknowledged) <= found
    assert len(acknowledged) == len(set(acknowledged))


@pytest.mark.django_db(transaction=True)
def test_a_page_is_a_503_while_the_database_is_unreachable_and_works_again_after(
    client: Any, alice: User, tmp_path: Path
) -> None:
    client.force_login(alice)
    real = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = free_port(55500)  # nothing listens there
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")  # cannot be opened
    try:
        down = client.get(reverse("accounts:list"))
    finally:
        connection.close()
        connection.settings_dict.update(real)
    up = client.get(reverse("accounts:list"))

    assert (down.status_code, down["Retry-After"]) == (503, "5")
    assert MESSAGE in down.content.decode()
    assert up.status_code == 200
