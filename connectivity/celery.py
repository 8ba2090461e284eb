"""The Celery app. Settings come from Django's settings module (the CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connectivity.settings")

app = Celery("connectivity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
