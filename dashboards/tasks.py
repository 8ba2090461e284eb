"""Thin, idempotent tasks: the daily KPI snapshot, the nightly account health and the KPI page's stored figures
(beat), and the fresh health, monthly rollups and KPI figures after the writes that change them (on commit)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from dashboards import services
from kernel.tasks import Task


@shared_task
def snapshot_kpis_task() -> int:
    """Daily, after midnight: yesterday's snapshot completes yesterday's month to date; today's starts the day."""
    today = timezone.localdate()
    return services.snapshot_kpis(day=today - timedelta(days=1)) + services.snapshot_kpis(day=today)


@shared_task
def recompute_health_task() -> int:
    services.recount_moved_accounts()  # nightly too: rollups of accounts reassigned by set-based updates
    return services.recompute_health(now=timezone.now())


# Task (every task's class, see connectivity.celery) gives delay_on_commit; naming it types it for mypy.
@shared_task(base=Task, acks_late=True)
def recompute_account_health_task(account_id: int) -> int:
    """Queued on commit when an account's conversations change (dashboards.receivers); idempotent."""
    return services.recompute_account_health(account_id=account_id, now=timezone.now())


@shared_task(base=Task, acks_late=True)
def recount_account_months_task(account_ids: list[int]) -> int:
    """Queued on commit when accounts' conversations change (dashboards.receivers); idempotent."""
    return services.recount_account_months(account_ids=account_ids)


@shared_task(base=Task, acks_late=True)
def refresh_kpi_windows_task() -> int:
    """Queued (debounced) after writes that change a KPI, and by beat as a net: the KPI page's stored figures."""
    return services.start_kpi_refresh()
