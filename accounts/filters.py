"""One FilterSet for the account list page, its CSV export and the accounts API."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.core.exceptions import BadRequest
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Account, AccountStatus, Segment, Tier
from kernel.api.filters import UtcIsoDateTimeFilter
from organization.models import Role, User


class AccountFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="search", label="Name")
    tier = django_filters.MultipleChoiceFilter(choices=Tier.choices)
    segment = django_filters.ModelChoiceFilter(
        queryset=Segment.objects.all(), to_field_name="slug", empty_label="All segments"
    )
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact")
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(role__in=[Role.ACCOUNT_MANAGER, Role.DEPARTMENT_LEAD, Role.EXECUTIVE]),
        empty_label="Any owner",
    )
    status = django_filters.MultipleChoiceFilter(choices=AccountStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue for contact")
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Account
        fields = ["q", "tier", "segment", "region", "owner", "status", "overdue", "updated_since"]

    @property
    def qs(self) -> QuerySet[Account]:
        """Pages pass over a value they cannot use (a stale owner in a bookmark), but not a date-time: only a
        hand-made address carries one, and a list that ignored it would look filtered. A 400 page says why.
        (The API's filter backend refuses every invalid value before it asks for rows.)"""
        if self.is_bound and "updated_since" in self.errors:
            raise BadRequest(f"updated_since: {' '.join(self.errors['updated_since'])}")
        rows: QuerySet[Account] = super().qs
        return rows

    def search(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(external_id__iexact=value))

    def filter_overdue(self, queryset: QuerySet[Account], name: str, value: bool | None) -> QuerySet[Account]:
        if value is None:
            return queryset
        today: date = timezone.localdate()
        if value:
            return queryset.filter(next_contact_due__lt=today)
        return queryset.filter(Q(next_contact_due__gte=today) | Q(next_contact_due__isnull=True))

    @classmethod
    def for_request(cls, data: Any, queryset: QuerySet[Account]) -> AccountFilter:
        return cls(data=data, queryset=queryset)
