from __future__ import annotations

import socket
from datetime import datetime

from connectivity.models import Heartbeat

WORKER_HEARTBEAT = "worker"


def record_heartbeat(*, now: datetime, name: str = WORKER_HEARTBEAT) -> Heartbeat:
    """Record that a worker is alive. Idempotent: the row for `name` is simply moved forward."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": now, "hostname": socket.gethostname()}
    )
    return heartbeat
