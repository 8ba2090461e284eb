"""Redis stopped: conversations are still logged, and what they owe is sent once Redis is back, exactly once.

The Redis here is a redis-server of this test's own (broker and cache, as in production, where one Redis is
both). While it is down, a conversation is logged through the quick-log page and through the API; both answer
as usual and quickly. The notifications and webhooks they owe are rows written in the same transaction (an
outbox); once Redis is back, a real worker runs the sweeps beat sends, and every email and webhook arrives, once.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from feedback.models import ContactLog, Issue
from organization.models import ApiClient, Notification, User, WebhookDelivery, WebhookEvent
from organization.tasks import redeliver_webhooks_task, send_notification_digests_task
from organization.webhooks import services as webhook_services
from tests.conftest import start_celery_worker, stop_process
from tests.connectivity.test_worker import database_url_for_test_db
from tests.factories import AccountFactory, UserFactory
from tests.faults.conftest import RedisServer, SmtpSink, wait_until
from tests.feedback.test_pages import quick_log_post
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ANSWER_WITHIN = 30.0  # seconds: catches a request stuck on a dead broker; generous, so a slow machine never fails it


def use_broker(url: str) -> None:
    from connectivity.celery import app

    app.conf.update(broker_url=url)
    kombu.pools.reset()  # connections opened earlier point at the old broker
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def redis(redis_server: RedisServer, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    """Celery's broker and Django's cache (the API's rate limits) on our own redis-server, as in production."""
    from connectivity.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its own configuration (CI sets it to the
    # machine's Redis): without this the test would publish to a broker that never went down.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url(0))
    before = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server.url(1)}
    }
    use_broker(redis_server.url(0))
    yield redis_server
    use_broker(before)


@pytest.fixture
def worker(redis: RedisServer, smtp_sink: SmtpSink, tmp_path: Path) -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        process = start_celery_worker(
            tmp_path / "worker.log",
            DATABASE_URL=database_url_for_test_db(),
            CELERY_BROKER_URL=redis.url(0),
            CACHE_URL=redis.url(1),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_sink.port),
            DEBUG="true",
            VAR_DIR=str(tmp_path / "worker"),
            WEBHOOK_ALLOWED_HOSTS="127.0.0.1",  # the webhook receiver's address, refused by default
            PYTHONUNBUFFERED="1",
        )
        started.append(process)
        return process

    yield start
    for process in started:
        stop_process(process)


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(f"\n[faults] {line}")  # noqa: T201 - the figures docs/reliability.md quotes


def test_with_redis_down_conversations_are_saved_and_what_they_owe_arrives_once_redis_is_back(
    redis: RedisServer,
    worker: Any,
    smtp_sink: SmtpSink,
    webhook_receiver: Receiver,
    alice: User,
    bob: User,
    engineering: Any,
    write_token: str,
    client: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    carol = UserFactory.create(email="carol@example.com", department=engineering)
    account = AccountFactory.create(owner=alice)
    webhook_services.create_subscription(
        api_client=ApiClient.objects.get(), url=webhook_receiver.url, events=[WebhookEvent.ISSUE_RAISED]
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {write_token}")
    client.force_login(alice)
    redis.stop()
    caplog.set_level(logging.WARNING)

    started = time.monotonic()
    page = client.post(
        reverse("feedback:log"),
        quick_log_post(
            account,
            **{
                "issues-0-severity": "high",
                "issues-0-department": engineering.pk,
                "issues-0-verbatim": "The pump overheats at full load.",
            },
        ),
    )
    page_seconds = time.monotonic() - started
    started = time.monotonic()
    created = api.post(
        reverse("api:contact-logs"),
        {
            "account": account.pk,
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "channel": "phone",
            "summary": "The second shipment was late as well.",
            "issues": [{"department": engineering.pk, "verbatim": "Late again, twice this month."}],
        },
        format="json",
        headers={"Idempotency-Key": "logged-while-redis-was-down"},
    )
    api_seconds = time.monotonic() - started
    report(
        capsys,
        f"Redis down: quick-log page {page.status_code} in {page_seconds:.2f} s, "
        f"API {created.status_code} in {api_seconds:.2f} s",
    )

    assert (page.status_code, page["Location"]) == (302, reverse("accounts:detail", args=[account.pk]))
    assert created.status_code == 201
    assert page_seconds < ANSWER_WITHIN
    assert api_seconds < ANSWER_WITHIN
    assert (ContactLog.objects.count(), Issue.objects.count()) == (2, 2)
    assert Notification.objects.filter(user__in=[bob, carol], emailed_at=None).count() == 4  # two issues each
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).count() == 2
    assert "not queued after commit" in caplog.text  # caught and logged, not raised
    assert "Throttle cache unavailable" in caplog.text
    assert (smtp_sink.messages, webhook_receiver.requests) == ([], [])

    redis.start()
    worker()
    # What beat sends every minute (webhook re-delivery) and every few minutes (notification digests).
    redeliver_webhooks_task.delay()
    send_notification_digests_task.delay()
    wait_until(lambda: len(webhook_receiver.requests) >= 2 and len(smtp_sink.messages) >= 2, seconds=60, interval=0.25)
    redeliver_webhooks_task.delay()  # the next sweeps find nothing left to send
    send_notification_digests_task.delay()
    time.sleep(3)

    event_ids = [json.loads(r.body)["event_id"] for r in webhook_receiver.requests]
    recipients = sorted(r for mail in smtp_sink.messages for r in mail.recipients)
    items = sum(int(m.data.split("Connectivity: ", 1)[1].split(" ", 1)[0]) for m in smtp_sink.messages)
    report(
        capsys,
        f"Redis back: {len(event_ids)} webhooks ({len(set(event_ids))} distinct events) and "
        f"{len(smtp_sink.messages)} digest emails carrying {items} notifications for 4 owed",
    )
    assert len(event_ids) == len(set(event_ids)) == 2
    assert recipients == ["bob@example.com", "carol@example.com"]
    assert items == 4
    assert not Notification.objects.filter(emailed_at=None).exists()
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count() == 2
