"""Daily KPI snapshots: the trend charts read a few hundred of these instead of scanning two years of history."""

from __future__ import annotations

from django.conf import settings
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


class AccountMonthRollup(models.Model):
    """One account's conversations in one calendar month (the month in the site's time zone), counted from the
    contact logs that are not deleted: what the dashboard's rating sparklines and the customer-voice KPI read
    instead of two years of logs. Rebuilt by `manage.py rebuild_rollups`; kept current by recounting an
    account's months after each commit that changes its conversations (dashboards.receivers)."""

    account = models.ForeignKey("accounts.Account", models.CASCADE, related_name="+")
    month = models.DateField(help_text="The month's first day.")
    # Copied from the account when counted, so the KPI sums a month per owner from this table alone (an index-
    # only scan, no join to 50,000 accounts); an owner or confidentiality change recounts the account.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    is_confidential = models.BooleanField(default=False)
    contacts = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0, help_text="Conversations with a rating.")
    rating_sum = models.PositiveIntegerField(default=0)
    ratings_4_5 = models.PositiveIntegerField(default=0, help_text="Ratings of 4 or 5.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "month"]
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="account_month_rollup_once")]
        # The KPI reads one or a few months for every account: the month first, the sums beside it.
        indexes = [
            models.Index(
                fields=["month", "is_confidential", "owner", "ratings", "rating_sum", "ratings_4_5"],
                name="account_month_rollup_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}"


class KpiWindow(models.TextChoices):
    MONTH = "month", "This month"
    DAYS_30 = "30", "Last 30 days"
    DAYS_90 = "90", "Last 90 days"


class KpiWindowFigures(models.Model):
    """The KPI page's figures for one period ending today, for one confidentiality variant, as of `computed_at`:
    the current window per organisation, department and owner, the previous window and response speed by
    channel (dashboards.services.refresh_kpi_windows). The page reads this row instead of computing them from
    the logs, issues and plans; a write that changes them asks for a refresh after its commit (debounced), and
    a row of another day than today is not read. Two variants, as for snapshots: with confidential accounts
    (read by people who may see all of them) and without (read by people who may see none of them)."""

    window = models.CharField(max_length=10, choices=KpiWindow.choices)
    with_confidential = models.BooleanField()
    day = models.DateField(help_text="The window's last day (today when it was computed).")
    # Kpis as JSON: {"org": {...}, "department": {"<id>": {...}}, "owner": {"<id>": {...}}}.
    current = models.JSONField()
    previous = models.JSONField(help_text="The organisation's KPIs over as many days before the window.")
    by_channel = models.JSONField(help_text="[label, median hours, p90 hours, acknowledged] per channel.")
    surveys = models.JSONField(
        default=dict, blank=True, help_text="The survey KPIs of the period and their trend (surveys.kpis); {}: none."
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["window", "with_confidential"]
        constraints = [
            models.UniqueConstraint(fields=["window", "with_confidential"], name="kpi_window_figures_once"),
        ]

    def __str__(self) -> str:
        return f"{self.window} {'with' if self.with_confidential else 'without'} confidential, {self.computed_at}"
