"""Exactly once with real Celery workers on Redis: two workers and overlapping sweeps, and a worker killed with
SIGKILL mid-task. The workers are processes started here, against this test's database."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
import redis
from django.db import connection
from django.utils import timezone

from accounts.models import Account, Tier
from actionplans import services, tasks
from actionplans.models import Escalation
from organization.models import Notification, Role
from tests.conftest import start_celery_worker, stop_process
from tests.connectivity.test_worker import database_url_for_test_db
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _use_broker(url: str, options: dict[str, Any]) -> None:
    from connectivity.celery import app

    app.conf.update(broker_url=url, broker_transport_options=options)
    # Connections opened earlier point at the old broker: drop them so the next send connects afresh.
    kombu.pools.reset()
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def broker(settings: Any) -> Iterator[str]:
    """A Redis database of its own (emptied first). Redis is required in CI; elsewhere absent Redis skips."""
    from connectivity.celery import app

    url = settings.CELERY_BROKER_URL if settings.CELERY_BROKER_URL.startswith("redis") else "redis://127.0.0.1:6379/12"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({url})")
        pytest.skip(f"no Redis at {url}")
    before = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _use_broker(url, {"visibility_timeout": 5})
    yield url
    _use_broker(*before)


@pytest.fixture
def start_worker(broker: str, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(name: str, *, pool: str = "prefork", concurrency: int = 2) -> subprocess.Popen[str]:
        process = start_celery_worker(
            tmp_path / f"{name}.log",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "-n",
            f"{name}@%h",
            DATABASE_URL=database_url_for_test_db(),
            CELERY_BROKER_URL=broker,
            DEBUG="true",
            VAR_DIR=str(tmp_path / name),
            CELERY_VISIBILITY_TIMEOUT="5",
            PYTHONUNBUFFERED="1",
        )
        started.append(process)
        return process

    yield start
    for process in started:
        stop_process(process)


def wait_until(condition: Callable[[], bool], *, seconds: float = 600) -> None:
    """Poll until the condition holds: a bound on waiting, not a speed assertion."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)


def overdue_plans(count: int, *, days_overdue: int) -> tuple[list[Any], Any]:
    department = UserFactory.create().department
    boss = UserFactory.create(full_name="Mona Manager", role=Role.DEPARTMENT_LEAD)
    owner = UserFactory.create(role=Role.ACCOUNT_MANAGER, manager=boss, department=department)
    department.lead = boss  # level 1 goes to the owner's manager, level 2 to the department lead: both Mona
    department.save()
    account = AccountFactory.create(owner=owner)
    Account.objects.filter(pk=account.pk).update(tier=Tier.KEY)
    account.refresh_from_db()
    now = timezone.now()
    plans = [
        services.create_plan(
            account=account,
            title=f"Overdue plan {i}",
            owner=owner,
            department=department,
            due_on=timezone.localdate() - timedelta(days=days_overdue),
            created_by=owner,
            now=now,
        )
        for i in range(count)
    ]
    return plans, boss


def test_two_workers_and_two_overlapping_sweeps_escalate_each_level_exactly_once(
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    # 20 calendar days overdue: Key × medium levels 1 (24 h) and 2 (72 h) are due, level 3 (168 h) is not.
    plans, boss = overdue_plans(200, days_overdue=20)
    expected = 2 * len(plans)
    start_worker("alpha")
    start_worker("beta")
    tasks.escalation_sweep_task.delay()
    tasks.escalation_sweep_task.delay()  # overlapping: both fan out all 200 plans
    wait_until(lambda: Escalation.objects.count() >= expected)
    time.sleep(3)  # let any duplicate still in flight land before counting
    assert Escalation.objects.count() == expected
    assert set(Escalation.objects.values_list("level", flat=True)) == {1, 2}
    assert Notification.objects.filter(user=boss, kind="plan.escalated").count() == expected
    assert Notification.objects.values("dedupe_key").distinct().count() == Notification.objects.count()


def test_a_worker_killed_mid_task_loses_nothing_and_duplicates_nothing(
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("holds a row lock from a second connection to stop the worker mid-task: PostgreSQL only")
    import psycopg2

    (plan,), boss = overdue_plans(1, days_overdue=20)
    db = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    blocker.autocommit = False
    with blocker.cursor() as cursor:
        cursor.execute("SELECT id FROM actionplans_actionplan WHERE id = %s FOR UPDATE", [plan.pk])

    def worker_is_waiting_on_the_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s", [db["NAME"]]
            )
            return bool(cursor.fetchone()[0])

    try:
        victim = start_worker("victim", pool="solo")
        tasks.escalate_plan_task.delay(plan.pk)
        wait_until(worker_is_waiting_on_the_lock)
        assert worker_is_waiting_on_the_lock(), "the worker never reached the plan's lock"
        os.kill(victim.pid, signal.SIGKILL)  # mid-task: inside the transaction, before anything is committed
        victim.wait(timeout=30)
    finally:
        blocker.rollback()  # always: a lock left behind would block the test database's teardown
        blocker.close()
    assert Escalation.objects.count() == 0

    start_worker("rescuer", pool="solo")  # the unacknowledged message comes back after the visibility timeout
    wait_until(lambda: Escalation.objects.count() >= 2)
    time.sleep(3)
    assert sorted(Escalation.objects.values_list("level", flat=True)) == [1, 2]
    assert Notification.objects.filter(user=boss, kind="plan.escalated").count() == 2
