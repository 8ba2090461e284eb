"""Background work for accounts: large CSV imports (accounts.csv_import decides what runs here)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import OperationalError
from django.utils import timezone

from accounts import csv_import

RETRY_AFTER_SECONDS = 30


# DjangoTask (Celery's default task class under Django) gives delay_on_commit; naming it types it for mypy.
@shared_task(base=DjangoTask, bind=True, acks_late=True, max_retries=3)
def run_import_task(self: DjangoTask[Any, Any], import_id: int) -> None:
    """Import one checked CSV file. Idempotent: run_import leaves a finished import alone.

    A locked or unreachable database is worth retrying (the import's transaction rolled back, nothing was
    written); anything else, or the last retry, marks the import failed so its page stops waiting.
    """
    try:
        csv_import.run_import(import_id=import_id, now=timezone.now())
    except OperationalError as exc:
        if self.request.retries < (self.max_retries or 0):
            raise self.retry(exc=exc, countdown=RETRY_AFTER_SECONDS) from exc
        csv_import.fail_import(import_id=import_id, message=f"The database was unavailable ({exc}). Try again.")
        raise
    except Exception as exc:
        csv_import.fail_import(import_id=import_id, message=f"The import stopped on an unexpected error ({exc}).")
        raise
