"""The Celery app. Settings come from Django's settings module (the CELERY_ namespace).

Every task's class is `kernel.tasks.Task`: queuing work after a commit never fails the request that committed.
"""

from __future__ import annotations

import os

from celery import Celery

from kernel.tasks import Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connectivity.settings")

app = Celery("connectivity", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
