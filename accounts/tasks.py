"""Background work for accounts: large CSV imports (accounts.imports decides what runs here)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts import imports
from kernel.tasks import Task

RETRY_AFTER_SECONDS = 30


# Task (every task's class, see connectivity.celery) gives delay_on_commit; naming it types it for mypy.
@shared_task(base=Task, bind=True, acks_late=True, max_retries=3)
def run_import_task(self: Task, import_id: int) -> None:
    """Import one checked CSV file. Idempotent: run_import leaves a finished import alone.

    A locked or unreachable database is worth retrying (the import's transaction rolled back, nothing was
    written); anything else, or the last retry, marks the import failed so its page stops waiting.
    """
    try:
        imports.run_import(import_id=import_id, now=timezone.now())
    except OperationalError as exc:
        if self.request.retries < (self.max_retries or 0):
            raise self.retry(exc=exc, countdown=RETRY_AFTER_SECONDS) from exc
        imports.fail_import(import_id=import_id, message=f"The database was unavailable ({exc}). Try again.")
        raise
    except Exception as exc:
        imports.fail_import(import_id=import_id, message=f"The import stopped on an unexpected error ({exc}).")
        raise
