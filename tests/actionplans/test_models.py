"""Rules decided once on the plan model: a promise is kept by its date in the business calendar's time zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from actionplans.models import PlanStatus
from dashboards.selectors import day_bounds, kpis
from dashboards.services import recompute_health
from organization.models import User
from tests.factories import AccountFactory, ActionPlanFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")  # the default business calendar's zone: UTC+1 in November
PROMISED = date(2026, 11, 10)


@pytest.mark.parametrize(
    ("resolved_at", "kept"),
    [
        (datetime(2026, 11, 10, 0, 30, tzinfo=AMS), True),  # 23:30 UTC on the 9th: on the promised day
        # 23:30 UTC on the 10th: the plan page and the API read the UTC date and called this kept
        (datetime(2026, 11, 11, 0, 30, tzinfo=AMS), False),
    ],
)
def test_a_promise_is_kept_by_its_local_date_on_the_page_in_the_api_and_in_the_kpis(
    client: Any, api: APIClient, alice: User, erin: User, resolved_at: datetime, kept: bool
) -> None:
    account = AccountFactory.create(owner=alice)
    plan = ActionPlanFactory.create(
        account=account,
        owner=alice,
        due_on=PROMISED,
        promise_on=PROMISED,
        status=PlanStatus.RESOLVED,
        resolution="Replaced the pump.",
        resolved_at=resolved_at,
    )

    client.force_login(alice)
    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    api.force_authenticate(alice)
    body = api.get(reverse("api:action-plan", kwargs={"pk": plan.pk})).json()
    start, end = day_bounds(date(2026, 11, 1), date(2026, 11, 30))
    november = kpis(user=erin, start=start, end=end)
    recompute_health(now=datetime(2026, 12, 1, 12, tzinfo=AMS))
    account.refresh_from_db()
    promises = next(signal for signal in account.health_signals if signal["key"] == "promises")

    assert ('data-testid="promise-outcome">✓ Kept' in page) is kept
    assert ('data-testid="promise-outcome">✗ Broken' in page) is not kept
    assert body["promise_broken"] is not kept
    assert (november.promises_kept, november.promises_due) == (1.0 if kept else 0.0, 1)
    assert promises["detail"] == f"{0 if kept else 1} broken in the last 6 months"
