"""FilterSets of the survey API's lists."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from feedback.models import Topic
from kernel.api.filters import IdFilter, UtcIsoDateTimeFilter
from kernel.forms import beyond_64_bits
from surveys.models import (
    DIMENSIONS,
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    SurveyTemplate,
)

DIMENSION_CHOICES = [(value, Topic(value).label) for value in DIMENSIONS]


class SurveyFilter(django_filters.FilterSet):  # type: ignore[misc]
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices)

    class Meta:
        model = SurveyTemplate
        fields = ["kind"]


class SurveyCampaignFilter(django_filters.FilterSet):  # type: ignore[misc]
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices)
    state = django_filters.ChoiceFilter(choices=SurveyCampaign.State.choices)
    survey = IdFilter(field_name="version__template_id", label="Survey (template) id")
    account = django_filters.NumberFilter(
        field_name="invitations__account_id", method="filter_account", label="Campaigns that invited this account"
    )
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = SurveyCampaign
        fields = ["kind", "state", "survey", "account", "created_after", "created_before"]

    def filter_account(self, queryset: QuerySet[SurveyCampaign], name: str, value: Any) -> QuerySet[SurveyCampaign]:
        # Only an account the caller may see: another's is an account that was never invited.
        if value != int(value) or beyond_64_bits(int(value)):
            return queryset.none()
        invited = SurveyInvitation.objects.visible_to(self.request.user).filter(account_id=value)
        return queryset.filter(pk__in=invited.values("campaign_id"))


class SurveyResponseFilter(django_filters.FilterSet):  # type: ignore[misc]
    account = IdFilter(field_name="account_id", label="Account id")
    campaign = IdFilter(field_name="campaign_id", label="Campaign id")
    survey = IdFilter(field_name="campaign__version__template_id", label="Survey (template) id")
    kind = django_filters.ChoiceFilter(field_name="campaign__kind", choices=SurveyKind.choices)
    dimension = django_filters.ChoiceFilter(
        choices=DIMENSION_CHOICES, method="filter_dimension", label="Responses that scored this dimension"
    )
    submitted_after = UtcIsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = UtcIsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = SurveyResponse
        fields = ["account", "campaign", "survey", "kind", "dimension", "submitted_after", "submitted_before"]

    def filter_dimension(self, queryset: QuerySet[SurveyResponse], name: str, value: str) -> QuerySet[SurveyResponse]:
        scored = SurveyAnswer.objects.filter(dimension=value, score__isnull=False)
        return queryset.filter(pk__in=scored.values("response_id"))
