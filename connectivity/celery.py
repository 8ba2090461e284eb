"""The Celery app. Settings come from Django's settings module (the CELERY_ namespace).

Every task's class is `kernel.tasks.Task`: queuing work after a commit never fails the request that committed.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

from kernel.tasks import Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connectivity.settings")

app = Celery("connectivity", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _report_ready(sender: Any = None, **kwargs: Any) -> None:
    """A worker that is ready says so at once, through the broker like any task, instead of leaving /healthz at
    503 until beat's first heartbeat (HEARTBEAT_INTERVAL later): `make run` is healthy as soon as its worker
    answers."""
    app.send_task("connectivity.tasks.record_heartbeat_task")
