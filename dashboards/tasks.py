"""Thin, idempotent tasks for beat: the daily KPI snapshot and the nightly account health."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from dashboards import services


@shared_task
def snapshot_kpis_task() -> int:
    """Daily, after midnight: yesterday's snapshot completes yesterday's month to date; today's starts the day."""
    today = timezone.localdate()
    return services.snapshot_kpis(day=today - timedelta(days=1)) + services.snapshot_kpis(day=today)


@shared_task
def recompute_health_task() -> int:
    return services.recompute_health(now=timezone.now())
