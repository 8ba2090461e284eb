"""The survey REST API, read only: the surveys we send, the campaigns that sent them and the answers that came back.

Scoped as every other list (docs/security.md): a response from a confidential account is listed only to those
who may open the account, never to an API client; a campaign's counts cover only the accounts the caller may see.
Partial answers (a contact who saved and will finish later) are the contact's draft: only submitted responses
are listed. Cursor pages, strict filters and the one error body come from the project's defaults (kernel.api).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.api.rows import JSONRenderer
from surveys.api import rows
from surveys.api.filters import SurveyCampaignFilter, SurveyFilter, SurveyResponseFilter
from surveys.api.serializers import SurveyCampaignSerializer, SurveyResponseSerializer, SurveySerializer
from surveys.models import SurveyCampaign, SurveyResponse, SurveyTemplate


class SurveyListApi(generics.ListAPIView[SurveyTemplate]):
    """The surveys the company sends (the annual perception survey, the pulse after a resolved plan), each with
    its current version's questions, in the order they were created."""

    filterset_class = SurveyFilter
    serializer_class = SurveySerializer  # the body's contract; surveys.api.rows writes it
    cursor_ordering = ("id",)
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[SurveyTemplate]:
        return SurveyTemplate.objects.all()

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(rows.survey_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(rows.survey_rows(page or []))


class SurveyCampaignListApi(generics.ListAPIView[SurveyCampaign]):
    """Survey campaigns, the newest first, with how many contacts each invited and how many answered (at the
    accounts you may see). `account` lists the campaigns that invited that account's contacts."""

    filterset_class = SurveyCampaignFilter
    serializer_class = SurveyCampaignSerializer
    cursor_ordering = ("-created_at", "-id")
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[SurveyCampaign]:
        return SurveyCampaign.objects.visible_to(self.request.user)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(rows.campaign_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(rows.campaign_rows(page or [], user=request.user))


class SurveyResponseListApi(generics.ListAPIView[SurveyResponse]):
    """Submitted survey responses at the accounts you may see, the latest first, each with every answer in the
    contact's own words. `dimension` lists the responses that scored that dimension."""

    filterset_class = SurveyResponseFilter
    serializer_class = SurveyResponseSerializer
    cursor_ordering = ("-submitted_at", "-id")
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[SurveyResponse]:
        return SurveyResponse.objects.visible_to(self.request.user).submitted()

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(rows.response_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(rows.response_rows(page or []))
