"""Daily KPI snapshots: the trend charts read a few hundred of these instead of scanning two years of history."""

from __future__ import annotations

from django.db import models


class KpiScope(models.TextChoices):
    ORGANISATION = "org", "Organisation"
    DEPARTMENT = "department", "Department"
    OWNER = "owner", "Owner"


# The values a snapshot keeps: the names of dashboards.selectors.Kpis, field for field.
SNAPSHOT_FIELDS = [
    "contact_coverage",
    "accounts_due",
    "response_median_hours",
    "response_p90_hours",
    "unacknowledged",
    "resolution_median_days",
    "promises_kept",
    "promises_due",
    "rating_average",
    "rating_share_4_5",
    "ratings",
]


class KpiSnapshot(models.Model):
    """The five KPIs for one scope over the month to date, as of the end of `day` (definitions: docs/kpis.md).

    The snapshot of a month's last day is that whole month: the trend chart's point. Two variants per scope:
    with confidential accounts (for people who may see all of them) and without (for everyone else).
    """

    day = models.DateField()
    scope = models.CharField(max_length=20, choices=KpiScope.choices)
    scope_id = models.PositiveIntegerField(default=0, help_text="The department's or owner's id; 0 for the org.")
    with_confidential = models.BooleanField()
    contact_coverage = models.FloatField(null=True)
    accounts_due = models.PositiveIntegerField(default=0, help_text="Coverage's denominator.")
    response_median_hours = models.FloatField(null=True)
    response_p90_hours = models.FloatField(null=True)
    unacknowledged = models.PositiveIntegerField(default=0)
    resolution_median_days = models.FloatField(null=True)
    promises_kept = models.FloatField(null=True)
    promises_due = models.PositiveIntegerField(default=0)
    rating_average = models.FloatField(null=True)
    rating_share_4_5 = models.FloatField(null=True)
    ratings = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scope", "scope_id", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "with_confidential", "day"], name="kpi_snapshot_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.scope}:{self.scope_id}"
