"""The dashboards REST API: the priority-account dashboard and the five KPIs, for internal systems and people.

Scoped like every read: API clients (and people off a confidential account's team) see no confidential
account, in rows or in totals. KPI history comes from the daily snapshots: the variant with confidential
accounts for executives and admins, the one without for everyone else (docs/kpis.md).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import AccountApiFilter
from accounts.models import Account
from accounts.selectors import month_starts
from dashboards import selectors
from dashboards.api.serializers import KpiReportSerializer, PriorityAccountSerializer
from dashboards.models import SNAPSHOT_FIELDS, KpiScope
from kernel.api.filters import refuse_unknown_parameters
from organization.models import Department, User


class PriorityAccountListApi(generics.ListAPIView[Any]):
    """The priority-account dashboard: accounts you may see in rank order, with days since contact against the
    tier's cadence, open issues by severity, overdue plans, open escalations, health and 12 months of ratings.

    Filters as `/accounts`: `tier` (by name), `segment`, `region`, `owner`, `status`, `overdue`.
    """

    filterset_class = AccountApiFilter
    serializer_class = PriorityAccountSerializer
    cursor_ordering = ("rank", "id")

    def get_queryset(self) -> QuerySet[Account]:
        return Account.objects.visible_to(self.request.user)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        today = timezone.localdate()
        accounts = selectors.with_priority_columns(self.filter_queryset(self.get_queryset()), today=today)
        page = self.paginate_queryset(accounts)
        rows = selectors.priority_rows(list(page or []), user=request.user, today=today)
        months = [f"{first:%Y-%m}" for first in month_starts(today)]
        return self.get_paginated_response(PriorityAccountSerializer(rows, many=True, context={"months": months}).data)


class KpiQuerySerializer(serializers.Serializer[Any]):
    scope = serializers.ChoiceField(choices=[s.value for s in KpiScope], default=KpiScope.ORGANISATION.value)
    scope_id = serializers.IntegerField(
        required=False, min_value=1, help_text="The department's or owner's id; required unless scope=org."
    )
    days = serializers.ChoiceField(choices=[30, 90], default=30, help_text="The window: the last 30 or 90 days.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        scope, scope_id = attrs["scope"], attrs.get("scope_id")
        if scope == KpiScope.ORGANISATION:
            attrs["scope_id"] = None
            return attrs
        if scope_id is None:
            raise serializers.ValidationError({"scope_id": [f"Required for scope={scope}."]})
        model = Department if scope == KpiScope.DEPARTMENT else User
        if not model.objects.filter(pk=scope_id).exists():
            raise serializers.ValidationError({"scope_id": [f"No {scope} with id {scope_id}."]})
        return attrs


class KpiApi(APIView):
    """The five customer KPIs for the organisation, a department or an owner: the last `days` days, the
    `days` before them, and one value per month for the last 12 months (from the daily snapshots)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, enum=[s.value for s in KpiScope], description="Default: org."),
            OpenApiParameter("scope_id", int, description="The department's or owner's id (not for org)."),
            OpenApiParameter("days", int, enum=[30, 90], description="The window; default 30."),
        ],
        responses=KpiReportSerializer,
    )
    def get(self, request: Request) -> Response:
        refuse_unknown_parameters(request, set(KpiQuerySerializer().fields))
        query = KpiQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope, scope_id, days = (
            query.validated_data["scope"],
            query.validated_data["scope_id"],
            int(query.validated_data["days"]),
        )
        today = timezone.localdate()
        start, end = selectors.day_bounds(today - timedelta(days=days - 1), today)
        by = None if scope == KpiScope.ORGANISATION else scope

        def values(window_start: Any, window_end: Any) -> dict[str, Any]:
            table = selectors.kpi_table(user=request.user, start=window_start, end=window_end, by=by, today=today)
            return asdict(table.get(scope_id) or selectors.EMPTY_KPIS)

        history = []
        for point in selectors.kpi_trend(user=request.user, scope=scope, scope_id=scope_id or 0, today=today):
            snap = point.snapshot
            month: dict[str, Any] = {"month": f"{point.month:%Y-%m}", "available": snap is not None}
            month |= {name: getattr(snap, name) if snap else None for name in SNAPSHOT_FIELDS}
            if snap is None:
                month |= dict.fromkeys(("accounts_due", "unacknowledged", "promises_due", "ratings"), 0)
            history.append(month)
        body = {
            "scope": scope,
            "scope_id": scope_id,
            "days": days,
            "start": start,
            "end": end,
            "current": values(start, end),
            "previous": values(start - timedelta(days=days), start),
            "history": history,
        }
        return Response(KpiReportSerializer(body).data)
