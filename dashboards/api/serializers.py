"""The dashboards API's bodies: priority-account rows and KPI values."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.api.serializers import TIER_NAMES
from dashboards.selectors import SEVERITIES, PriorityRow
from kernel.api.fields import DateTimeField

CONTACT_STATUSES = ["never", "overdue", "due_soon", "ok"]
HEALTH_BANDS = ["green", "yellow", "red"]


class OpenIssuesSerializer(serializers.Serializer[Any]):
    critical = serializers.IntegerField()
    high = serializers.IntegerField()
    medium = serializers.IntegerField()
    low = serializers.IntegerField()


class MonthlyRatingSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    average = serializers.FloatField(allow_null=True, help_text="Average rating 1–5; null without a rating.")


@extend_schema_serializer(component_name="PriorityAccount")
class PriorityAccountSerializer(serializers.Serializer[Any]):
    """One row of the priority-account dashboard. Needs `months` (the 12 month labels) in its context."""

    id = serializers.IntegerField(source="account.pk")
    name = serializers.CharField(source="account.name")
    rank = serializers.IntegerField(source="account.rank")
    tier = serializers.SerializerMethodField()
    segment = serializers.CharField(source="account.segment.slug")
    region = serializers.CharField(source="account.region")
    status = serializers.CharField(source="account.status")
    owner = serializers.IntegerField(source="account.owner_id")
    owner_name = serializers.CharField(source="account.owner.full_name")
    is_confidential = serializers.BooleanField(source="account.is_confidential")
    last_contact_at = DateTimeField(source="account.last_contact_at", allow_null=True)
    days_since_contact = serializers.IntegerField(allow_null=True)
    cadence_days = serializers.IntegerField()
    contact_status = serializers.ChoiceField(choices=CONTACT_STATUSES)
    open_issues = serializers.SerializerMethodField()
    overdue_plans = serializers.IntegerField(source="account.overdue_plans")
    open_escalations = serializers.IntegerField(source="account.open_escalations")
    health = serializers.IntegerField(source="account.health", allow_null=True, help_text="0–100, nightly.")
    health_band = serializers.ChoiceField(source="account.health_band", choices=HEALTH_BANDS, allow_null=True)
    satisfied_but_at_risk = serializers.BooleanField(source="account.health_at_risk")
    ratings_by_month = serializers.SerializerMethodField(help_text="The last 12 months, oldest first.")

    @extend_schema_field(serializers.ChoiceField(choices=list(TIER_NAMES.values())))
    def get_tier(self, row: PriorityRow) -> str:
        return TIER_NAMES[row.account.tier]

    @extend_schema_field(OpenIssuesSerializer)
    def get_open_issues(self, row: PriorityRow) -> dict[str, int]:
        return {severity: getattr(row.account, f"open_{severity}") for severity in SEVERITIES}

    @extend_schema_field(MonthlyRatingSerializer(many=True))
    def get_ratings_by_month(self, row: PriorityRow) -> list[dict[str, Any]]:
        return [
            {"month": month, "average": value} for month, value in zip(self.context["months"], row.ratings, strict=True)
        ]


class KpiValuesSerializer(serializers.Serializer[Any]):
    """The five KPIs over one window (definitions: docs/kpis.md); null where the denominator is empty."""

    contact_coverage = serializers.FloatField(allow_null=True, help_text="Share 0–1.")
    accounts_due = serializers.IntegerField(help_text="Coverage's denominator: Strategic and Key accounts.")
    response_median_hours = serializers.FloatField(allow_null=True)
    response_p90_hours = serializers.FloatField(allow_null=True)
    unacknowledged = serializers.IntegerField()
    resolution_median_days = serializers.FloatField(allow_null=True)
    promises_kept = serializers.FloatField(allow_null=True, help_text="Share 0–1.")
    promises_due = serializers.IntegerField()
    rating_average = serializers.FloatField(allow_null=True)
    rating_share_4_5 = serializers.FloatField(allow_null=True, help_text="Share 0–1.")
    ratings = serializers.IntegerField()


class KpiMonthSerializer(KpiValuesSerializer):
    month = serializers.CharField(help_text="YYYY-MM; the current month is the month to date.")
    available = serializers.BooleanField(help_text="False when no snapshot exists for the month.")


@extend_schema_serializer(component_name="KpiReport")
class KpiReportSerializer(serializers.Serializer[Any]):
    scope = serializers.ChoiceField(choices=["org", "department", "owner"])
    scope_id = serializers.IntegerField(allow_null=True)
    days = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    current = KpiValuesSerializer()
    previous = KpiValuesSerializer()
    history = KpiMonthSerializer(many=True)
