"""FilterSets for the action plan and escalation lists of the API (the plan page's PlanFilter shows active plans
by default and takes tier numbers; the API filters only on what it is asked, with tier names)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from accounts.api.serializers import TIER_NAMES, TIERS_BY_NAME
from accounts.models import Tier
from actionplans.models import ACTIVE_STATUSES, ActionPlan, Escalation, PlanStatus, Target


class ActionPlanFilter(django_filters.FilterSet):  # type: ignore[misc]
    department = django_filters.NumberFilter(field_name="department_id", label="Department id")
    owner = django_filters.NumberFilter(field_name="owner_id", label="Owner (user) id")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    tier = django_filters.ChoiceFilter(
        choices=[(name, Tier(value).label) for value, name in TIER_NAMES.items()],
        method="filter_tier",
        label="The account's tier",
    )
    account = django_filters.NumberFilter(field_name="account_id", label="Account id")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Active and past its due date")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = ActionPlan
        fields = ["department", "owner", "status", "tier", "account", "overdue", "updated_since"]

    def filter_tier(self, queryset: QuerySet[ActionPlan], name: str, value: str) -> QuerySet[ActionPlan]:
        return queryset.filter(account__tier=TIERS_BY_NAME[value])

    def filter_overdue(self, queryset: QuerySet[ActionPlan], name: str, value: bool | None) -> QuerySet[ActionPlan]:
        if value is None:
            return queryset
        overdue = queryset.filter(status__in=ACTIVE_STATUSES, due_on__lt=timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class EscalationFilter(django_filters.FilterSet):  # type: ignore[misc]
    plan = django_filters.NumberFilter(field_name="plan_id", label="Plan id")
    level = django_filters.NumberFilter()
    target = django_filters.ChoiceFilter(choices=Target.choices)
    open = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", label="Not acknowledged yet"
    )

    class Meta:
        model = Escalation
        fields = ["plan", "level", "target", "open"]
