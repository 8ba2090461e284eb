from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from kombu import Connection

from connectivity.models import Heartbeat
from connectivity.services import WORKER_HEARTBEAT


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


@dataclass(frozen=True)
class Health:
    database: Check
    broker: Check
    heartbeat: Check
    heartbeat_age_seconds: float | None

    @property
    def ok(self) -> bool:
        return self.database.ok and self.broker.ok and self.heartbeat.ok

    def checks(self) -> list[tuple[str, Check]]:
        return [("database", self.database), ("broker", self.broker), ("heartbeat", self.heartbeat)]


def _database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not reachable"; the detail says which
        return Check(False, type(exc).__name__)  # no message: this endpoint is public
    return Check(True, connection.vendor)


def _broker_check() -> Check:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(url, connect_timeout=2, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # any failure means "not reachable"; the detail says which
        return Check(False, type(exc).__name__)  # no message: this endpoint is public
    return Check(True, url.split("://", 1)[0])


def system_health(*, now: datetime) -> Health:
    """Database and broker reachability, and how long ago a worker last ran the beat heartbeat."""
    database = _database_check()
    broker = _broker_check()
    age: float | None = None
    if not database.ok:
        heartbeat = Check(False, "database unreachable")
    else:
        beat = Heartbeat.objects.filter(name=WORKER_HEARTBEAT).first()
        if beat is None:
            heartbeat = Check(False, "no heartbeat recorded yet")
        else:
            age = (now - beat.beat_at).total_seconds()
            max_age = settings.HEARTBEAT_MAX_AGE.total_seconds()
            heartbeat = Check(age <= max_age, f"last beat {age:.0f}s ago (max {max_age:.0f}s)")
    return Health(database=database, broker=broker, heartbeat=heartbeat, heartbeat_age_seconds=age)
