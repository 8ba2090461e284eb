"""FilterSets for the contact log and issue lists of the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from accounts.api.serializers import TIER_NAMES, TIERS_BY_NAME
from accounts.models import Tier
from feedback.models import Channel, ContactLog, Issue, IssueStatus, Severity, Topic


class ContactLogFilter(django_filters.FilterSet):  # type: ignore[misc]
    account = django_filters.NumberFilter(field_name="account_id", label="Account id")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    topic = django_filters.ChoiceFilter(choices=Topic.choices, method="filter_topic", label="One of its topics")
    author = django_filters.NumberFilter(field_name="author_id", label="Author (user) id")
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = ContactLog
        fields = ["account", "channel", "topic", "author", "occurred_after", "occurred_before", "updated_since"]

    def filter_topic(self, queryset: QuerySet[ContactLog], name: str, value: str) -> QuerySet[ContactLog]:
        # `topics` is a JSON list of topic values. Matching the quoted value in its text works on SQLite and
        # PostgreSQL alike (JSON `contains` does not on SQLite), and no topic value is a substring of another's
        # quoted form.
        return queryset.filter(topics__icontains=f'"{value}"')


class IssueFilter(django_filters.FilterSet):  # type: ignore[misc]
    department = django_filters.NumberFilter(field_name="department_id", label="Owning department id")
    status = django_filters.ChoiceFilter(choices=IssueStatus.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    account = django_filters.NumberFilter(field_name="account_id", label="Account id")
    tier = django_filters.ChoiceFilter(
        choices=[(name, Tier(value).label) for value, name in TIER_NAMES.items()],
        method="filter_tier",
        label="The account's tier",
    )
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Issue
        fields = ["department", "status", "severity", "account", "tier", "updated_since"]

    def filter_tier(self, queryset: QuerySet[Issue], name: str, value: str) -> QuerySet[Issue]:
        return queryset.filter(account__tier=TIERS_BY_NAME[value])
