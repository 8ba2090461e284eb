"""A real Celery round trip: a worker process on the configured broker (Redis in CI) sends itself the heartbeat
task when it is ready, and its pool runs it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from connectivity.models import Heartbeat
from tests.conftest import start_celery_worker, stop_process

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_test_db() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db: Any, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = start_celery_worker(
        tmp_path / "worker.log",
        DATABASE_URL=database_url_for_test_db(),
        CELERY_BROKER_URL=django_settings.CELERY_BROKER_URL,
        DEBUG="true",
        VAR_DIR=str(tmp_path),
    )
    yield process
    stop_process(process)


def test_a_worker_reports_a_heartbeat_as_soon_as_it_is_ready(worker: subprocess.Popen[str]) -> None:
    # Nothing sent by the test and no beat in this worker (beat's first heartbeat comes HEARTBEAT_INTERVAL later):
    # the worker itself says it is ready, so `make run` turns healthy when its worker answers.
    deadline = time.monotonic() + 90  # a generous bound on start-up, not a speed assertion
    while not Heartbeat.objects.exists() and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.25)
    assert Heartbeat.objects.get().hostname
