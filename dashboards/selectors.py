"""The five customer KPIs, computed live over what the viewer may see (definitions: docs/kpis.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone

from accounts.models import Account, AccountStatus, Tier
from accounts.services import ensure_tier_rules
from actionplans.models import ActionPlan, PlanStatus
from feedback.models import ContactLog, Issue


@dataclass(frozen=True)
class Kpis:
    contact_coverage: float | None  # share 0–1
    response_median_hours: float | None
    response_p90_hours: float | None
    unacknowledged: int
    resolution_median_days: float | None
    promises_kept: float | None  # share 0–1
    promises_due: int
    rating_average: float | None
    rating_share_4_5: float | None


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def contact_coverage(*, user: Any, at: datetime) -> float | None:
    cadence = ensure_tier_rules().cadence_days
    accounts = (
        Account.objects.visible_to(user)
        .filter(tier__in=[Tier.STRATEGIC, Tier.KEY])
        .exclude(status__in=[AccountStatus.LOST, AccountStatus.PROSPECT])
    )
    within = Q()
    for tier in (Tier.STRATEGIC, Tier.KEY):
        within |= Q(tier=tier, last_contact_at__gte=at - timedelta(days=cadence[tier]), last_contact_at__lte=at)
    counts = accounts.aggregate(total=Count("pk"), covered=Count("pk", filter=within))
    return counts["covered"] / counts["total"] if counts["total"] else None


def kpis(*, user: Any, start: datetime, end: datetime, today: date | None = None) -> Kpis:
    issues = Issue.objects.visible_to(user)
    raised = issues.filter(raised_at__gte=start, raised_at__lt=end)
    response = [
        (ack - at).total_seconds() / 3600
        for at, ack in raised.filter(acknowledged_at__isnull=False).values_list("raised_at", "acknowledged_at")
        if ack is not None
    ]
    resolution = [
        (done - at).total_seconds() / 86400
        for at, done in issues.filter(resolved_at__gte=start, resolved_at__lt=end).values_list(
            "raised_at", "resolved_at"
        )
        if done is not None
    ]
    last_day = today or (end - timedelta(microseconds=1)).date()
    promised = (
        ActionPlan.objects.visible_to(user)
        .filter(promise_on__gte=start.date(), promise_on__lt=end.date(), promise_on__lte=last_day)
        .exclude(status=PlanStatus.CANCELLED)
    )
    kept = len(
        [
            pk
            for pk, promise_on, resolved_at in promised.values_list("pk", "promise_on", "resolved_at")
            if resolved_at is not None and promise_on is not None and timezone.localdate(resolved_at) <= promise_on
        ]
    )
    due = promised.count()
    ratings = (
        ContactLog.objects.visible_to(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end, rating__isnull=False)
        .aggregate(average=Avg("rating"), total=Count("pk"), good=Count("pk", filter=Q(rating__gte=4)))
    )
    average: Decimal | float | None = ratings["average"]
    return Kpis(
        contact_coverage=contact_coverage(user=user, at=end),
        response_median_hours=median(response) if response else None,
        response_p90_hours=_p90(response),
        unacknowledged=raised.filter(acknowledged_at__isnull=True).count(),
        resolution_median_days=median(resolution) if resolution else None,
        promises_kept=kept / due if due else None,
        promises_due=due,
        rating_average=float(average) if average is not None else None,
        rating_share_4_5=ratings["good"] / ratings["total"] if ratings["total"] else None,
    )
