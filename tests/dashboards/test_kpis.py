"""Each KPI against a small hand-computed dataset (definitions: docs/kpis.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Account, AccountStatus, Tier
from actionplans.models import ActionPlan, PlanStatus
from dashboards.selectors import kpis
from tests.factories import AccountFactory, ContactLogFactory, IssueFactory

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
START, END = datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)


def account(tier: int, *, last_contact_days_ago: int | None, **extra: Any) -> Account:
    """An account of `tier` whose last logged conversation before END was that many days earlier (None: never)."""
    acc = AccountFactory.create(**extra)
    Account.objects.filter(pk=acc.pk).update(tier=tier)
    if last_contact_days_ago is not None:
        ContactLogFactory.create(account=acc, occurred_at=END - timedelta(days=last_contact_days_ago))
        ContactLogFactory.create(account=acc, occurred_at=END + timedelta(days=5))  # after END: does not count
    acc.refresh_from_db()
    return acc


def test_an_empty_period_has_no_values_not_zeroes(erin: Any) -> None:
    result = kpis(user=erin, start=START, end=END)
    assert (result.contact_coverage, result.response_median_hours, result.promises_kept, result.rating_average) == (
        None,
        None,
        None,
        None,
    )


def test_contact_coverage_counts_strategic_and_key_within_cadence(erin: Any) -> None:
    account(Tier.STRATEGIC, last_contact_days_ago=10)  # within 14 days
    account(Tier.STRATEGIC, last_contact_days_ago=20)  # not within 14
    account(Tier.KEY, last_contact_days_ago=29)  # within 30
    account(Tier.KEY, last_contact_days_ago=None)  # never contacted
    account(Tier.CORE, last_contact_days_ago=1)  # not counted: Core
    account(Tier.KEY, last_contact_days_ago=1, status=AccountStatus.LOST)  # excluded: lost
    assert kpis(user=erin, start=START, end=END).contact_coverage == 2 / 4


def test_response_speed_median_and_p90_ignore_unacknowledged(erin: Any) -> None:
    for hours in (1, 2, 3, 10):
        raised = START + timedelta(days=5)
        IssueFactory.create(raised_at=raised, acknowledged_at=raised + timedelta(hours=hours))
    IssueFactory.create(raised_at=START + timedelta(days=6))  # never acknowledged
    IssueFactory.create(raised_at=START - timedelta(days=1), acknowledged_at=START)  # raised before the window
    result = kpis(user=erin, start=START, end=END)
    assert result.response_median_hours == 2.5  # even count: mean of 2 and 3
    assert result.response_p90_hours == 10  # nearest rank: ceil(0.9 × 4) = 4th
    assert result.unacknowledged == 1


def test_resolution_time_is_the_median_for_issues_resolved_in_the_window(erin: Any) -> None:
    for days in (2, 4, 30):
        IssueFactory.create(raised_at=START, resolved_at=START + timedelta(days=days))
    assert kpis(user=erin, start=START, end=END).resolution_median_days == 4


def plan(promise_on: date | None, resolved_on: date | None, status: str = PlanStatus.RESOLVED) -> None:
    acc = AccountFactory.create()
    ActionPlan.objects.create(
        account=acc,
        title="p",
        owner=acc.owner,
        department=IssueFactory.create().department,
        due_on=date(2026, 9, 1),
        promise_on=promise_on,
        status=status,
        resolution="done" if resolved_on else "",
        created_by=acc.owner,
        resolved_at=datetime.combine(resolved_on, datetime.min.time(), UTC) if resolved_on else None,
    )


def test_promises_kept_counts_plans_whose_promise_date_passed(erin: Any) -> None:
    plan(date(2026, 9, 10), date(2026, 9, 10))  # kept, on the day
    plan(date(2026, 9, 10), date(2026, 9, 11))  # broken, a day late
    plan(date(2026, 9, 20), None, PlanStatus.IN_PROGRESS)  # broken: date passed, unresolved
    plan(None, date(2026, 9, 1))  # no promise: excluded
    plan(date(2026, 9, 15), None, PlanStatus.CANCELLED)  # cancelled: excluded
    plan(date(2026, 12, 1), None, PlanStatus.IN_PROGRESS)  # promise after the window: excluded
    result = kpis(user=erin, start=START, end=END)
    assert (result.promises_kept, result.promises_due) == (1 / 3, 3)


def test_customer_voice_averages_ratings_and_counts_advocates(erin: Any) -> None:
    for rating in (5, 4, 2, None):
        ContactLogFactory.create(occurred_at=START + timedelta(days=3), rating=rating)
    result = kpis(user=erin, start=START, end=END)
    assert result.rating_average == pytest.approx(11 / 3)
    assert result.rating_share_4_5 == 2 / 3


def test_confidential_accounts_count_only_for_those_who_may_see_them(erin: Any, bob: Any, alice: Any) -> None:
    account(Tier.STRATEGIC, last_contact_days_ago=1)
    account(Tier.STRATEGIC, last_contact_days_ago=100, is_confidential=True, owner=alice)
    assert kpis(user=erin, start=START, end=END).contact_coverage == 1 / 2
    assert kpis(user=bob, start=START, end=END).contact_coverage == 1
    assert kpis(user=alice, start=START, end=END).contact_coverage == 1 / 2


def test_ties_give_the_tied_value_for_median_and_90th_percentile(erin: Any) -> None:
    raised = START + timedelta(days=5)
    for hours in (3, 3, 3, 3, 8):
        IssueFactory.create(raised_at=raised, acknowledged_at=raised + timedelta(hours=hours))
    result = kpis(user=erin, start=START, end=END)
    assert (result.response_median_hours, result.response_p90_hours) == (3, 8)  # nearest rank: ceil(4.5) = 5th
