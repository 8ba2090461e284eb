"""Demo rollups, KPI snapshots, account health and the KPI page's stored figures: a year of trend from the first
`make run`, not a year later.

Runs after every other app's seeder (and after the large bulk loader), so the rollups count the loaded logs."""

from __future__ import annotations

from django.utils import timezone

from dashboards import services
from kernel.seeding import SeedContext


def seed(ctx: SeedContext) -> None:
    now = timezone.now()
    services.rebuild_rollups()
    services.backfill_kpi_snapshots(today=timezone.localdate(now))
    services.backfill_health(now=now)
    services.refresh_kpi_windows(now=now)  # the KPI page's stored figures, as beat keeps them
