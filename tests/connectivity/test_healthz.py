from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from connectivity import services

pytestmark = pytest.mark.django_db


def test_healthz_is_200_with_a_fresh_heartbeat(client: Any) -> None:
    services.record_heartbeat(now=timezone.now() - timedelta(seconds=30))
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] and body["broker"]["ok"]
    assert 29 <= body["heartbeat"]["age_seconds"] <= 60


def test_healthz_is_503_before_any_worker_ran_the_heartbeat(client: Any) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["heartbeat"] == {"ok": False, "detail": "no heartbeat recorded yet", "age_seconds": None}


def test_healthz_is_503_when_the_heartbeat_is_stale(client: Any) -> None:
    services.record_heartbeat(now=timezone.now() - timedelta(minutes=5))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["heartbeat"]["ok"] is False


def test_healthz_is_503_when_the_broker_is_unreachable(client: Any, settings: Any) -> None:
    services.record_heartbeat(now=timezone.now())
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_recording_a_heartbeat_twice_keeps_one_row() -> None:
    from connectivity.models import Heartbeat

    services.record_heartbeat(now=timezone.now())
    services.record_heartbeat(now=timezone.now())
    assert Heartbeat.objects.count() == 1


def test_healthz_during_start_up_logs_no_error_per_probe(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert client.get(reverse("healthz")).status_code == 503
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    starting = [r for r in caplog.records if r.name == "connectivity.health"]
    assert len(starting) == 3
    assert {r.levelname for r in starting} == {"INFO"}
    assert "no heartbeat recorded yet" in starting[0].getMessage()


def test_healthz_warns_without_an_error_when_the_heartbeat_is_stale(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    services.record_heartbeat(now=timezone.now() - timedelta(minutes=5))
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("healthz")).status_code == 503
    assert [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.WARNING] == [
        ("connectivity.health", "WARNING")
    ]
