"""Account health (weighted signals, bands, satisfied but at risk) and the department and personal scorecards."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, AccountHealthMonth, Tier
from actionplans.models import Escalation, PlanStatus
from dashboards.services import _Facts, assess, recompute_account_health, recompute_health
from organization.models import Role
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    ContactLogFactory,
    DepartmentFactory,
    IssueFactory,
    PlanStepFactory,
    UserFactory,
)

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.get_fixed_timezone(0))


def facts(**overrides: Any) -> _Facts:
    base: dict[str, Any] = {"tier": Tier.STRATEGIC, "last_contact_at": NOW - timedelta(days=5)}
    return _Facts(**(base | overrides))


def points(health: Any) -> dict[str, float]:
    return {signal.key: signal.points for signal in health.signals}


def test_a_looked_after_account_scores_every_point_but_the_unknown_rating() -> None:
    health = assess(facts(), cadence_days=14, now=NOW)
    assert points(health) == {"contact": 30, "ratings": 15, "escalations": 15, "promises": 15, "critical": 15}
    assert health.score == 90 and not health.at_risk


def test_contact_decays_linearly_from_the_cadence_to_twice_the_cadence() -> None:
    assert points(assess(facts(last_contact_at=NOW - timedelta(days=21)), cadence_days=14, now=NOW))["contact"] == 15
    assert points(assess(facts(last_contact_at=NOW - timedelta(days=28)), cadence_days=14, now=NOW))["contact"] == 0
    assert points(assess(facts(last_contact_at=None), cadence_days=14, now=NOW))["contact"] == 0


def test_ratings_give_their_level_and_lose_the_trend_when_falling() -> None:
    steady = assess(facts(rating_average=5, rating_recent=5, rating_previous=5), cadence_days=14, now=NOW)
    falling = assess(facts(rating_average=3, rating_recent=2.5, rating_previous=3.5), cadence_days=14, now=NOW)
    assert points(steady)["ratings"] == 25  # 20 for a 5, 5 for not falling
    assert points(falling)["ratings"] == 10  # (3 − 1) / 4 × 20, and a drop of a whole point
    assert "falling (3.5 → 2.5)" in falling.signals[1].detail


def test_escalations_broken_promises_and_critical_issues_take_their_points_away() -> None:
    health = assess(facts(open_escalations=1, broken_promises=2, open_critical=1), cadence_days=14, now=NOW)
    assert points(health)["escalations"] == 7
    assert points(health)["promises"] == 0
    assert points(health)["critical"] == 0
    assert health.score == 30 + 15 + 7 and health.score < 70


def test_satisfied_customers_with_falling_contact_or_a_broken_promise_are_flagged() -> None:
    happy = {"rating_average": 4.5, "rating_recent": 4.5, "rating_previous": 4.5}
    assert not assess(facts(**happy), cadence_days=14, now=NOW).at_risk
    assert assess(facts(**happy, broken_promises=1), cadence_days=14, now=NOW).at_risk
    assert assess(facts(**happy, contacts_recent=1, contacts_previous=4), cadence_days=14, now=NOW).at_risk
    assert assess(facts(**happy, last_contact_at=NOW - timedelta(days=20)), cadence_days=14, now=NOW).at_risk
    unhappy = facts(rating_average=2, broken_promises=1)
    assert not assess(unhappy, cadence_days=14, now=NOW).at_risk  # at risk, but not "satisfied": plain red/yellow


@pytest.mark.django_db
def test_the_nightly_run_writes_score_signals_flag_and_this_months_point() -> None:
    now = timezone.now()
    account = AccountFactory.create()
    Account.objects.filter(pk=account.pk).update(tier=Tier.STRATEGIC)
    ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=3), rating=5)
    ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=120), rating=5)
    plan = ActionPlanFactory.create(account=account, promise_on=timezone.localdate() - timedelta(days=2))
    Escalation.objects.create(plan=plan, level=1, target="owner", escalated_at=now)
    IssueFactory.create(contact_log__account=account, severity="critical")
    untouched = AccountFactory.create()

    recompute_health(now=now)
    recompute_health(now=now)  # idempotent: the same values, one month row

    account.refresh_from_db()
    # contact 30, ratings 20 + 5, one escalation 7, one broken promise 7, a critical issue 0
    assert account.health == 69 and account.health_band == "yellow" and account.health_at_risk
    assert [s["key"] for s in account.health_signals] == ["contact", "ratings", "escalations", "promises", "critical"]
    assert AccountHealthMonth.objects.get(account=account).health == 69
    assert Account.objects.get(pk=untouched.pk).health == 0 + 15 + 15 + 15 + 15  # never contacted, no rating
    assert account.history.count() == 1  # nightly writes never flood the edit history


@pytest.mark.django_db
def test_the_account_page_shows_each_signals_share(erin: Any) -> None:
    account = AccountFactory.create()
    recompute_health(now=timezone.now())
    client = Client()
    client.force_login(erin)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "60 · Watch" in html
    assert '<meter min="0" max="30" value="0"' in html and "never contacted" in html


# --- Scorecards ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_department_scorecard_counts_routed_issues_acknowledgement_plans_and_escalations(erin: Any) -> None:
    quality = DepartmentFactory.create(name="Quality")
    start = timezone.now() - timedelta(days=3)
    IssueFactory.create(department=quality, raised_at=start, acknowledged_at=start + timedelta(hours=2))
    IssueFactory.create(department=quality, raised_at=start, acknowledged_at=start + timedelta(hours=6))
    IssueFactory.create(department=quality, raised_at=start)
    plan = ActionPlanFactory.create(
        department=quality, status=PlanStatus.RESOLVED, resolution="Fixed", resolved_at=start + timedelta(days=1)
    )
    Escalation.objects.create(plan=plan, level=1, target="owner", escalated_at=start)
    client = Client()
    client.force_login(erin)

    cards = {c.department.name: c for c in client.get(reverse("dashboards:scorecards")).context["departments"]}

    card = cards["Quality"]
    assert (card.routed_issues, card.acknowledge_median_hours, card.unacknowledged) == (3, 4, 1)
    assert (card.plans_resolved, card.escalations) == (1, 1)


@pytest.mark.django_db
def test_a_personal_scorecard_shows_coverage_promises_and_what_they_owe(alice: Any) -> None:
    today = timezone.localdate()
    covered = AccountFactory.create(owner=alice)
    Account.objects.filter(pk=covered.pk).update(tier=Tier.KEY, last_contact_at=timezone.now() - timedelta(days=3))
    AccountFactory.create(owner=alice)  # never contacted
    ActionPlanFactory.create(account=covered, owner=alice, due_on=today - timedelta(days=1))
    kept = ActionPlanFactory.create(account=covered, owner=alice, promise_on=today - timedelta(days=5))
    kept.status, kept.resolution, kept.resolved_at = PlanStatus.RESOLVED, "Done", timezone.now() - timedelta(days=6)
    kept.save()
    PlanStepFactory.create(plan=kept, assignee=alice)  # on a resolved plan: owed no more
    client = Client()
    client.force_login(alice)

    response = client.get(reverse("dashboards:me"), follow=True)

    card = response.context["card"]
    assert (card.accounts, card.accounts_within_cadence, card.coverage) == (2, 1, 0.5)
    assert (card.promises_kept, card.promises_due) == (1, 1)
    assert (card.open_plans, card.overdue_plans, card.open_steps) == (1, 1, 0)
    assert "What I owe" in response.content.decode()


@pytest.mark.django_db
def test_people_see_their_own_scorecard_leads_their_department_executives_everyone(
    alice: Any, bob: Any, erin: Any, engineering: Any
) -> None:
    lead = UserFactory.create(role=Role.DEPARTMENT_LEAD, department=engineering)

    def status(viewer: Any, person: Any) -> int:
        client = Client()
        client.force_login(viewer)
        return client.get(reverse("dashboards:person", args=[person.pk])).status_code

    assert status(bob, bob) == 200
    assert status(bob, alice) == 404
    assert status(lead, bob) == 200  # bob is in the lead's department
    assert status(lead, alice) == 404
    assert status(erin, alice) == 200


@pytest.mark.django_db
def test_recomputing_one_accounts_health_leaves_the_others_alone() -> None:
    logged, other = AccountFactory.create_batch(2)
    ContactLogFactory.create(account=logged, occurred_at=NOW - timedelta(days=1), rating=5)
    assert recompute_account_health(account_id=logged.pk, now=NOW) == 1
    logged.refresh_from_db()
    other.refresh_from_db()
    assert logged.health is not None and logged.health_updated_at == NOW
    assert other.health is None and other.health_updated_at is None
    assert list(AccountHealthMonth.objects.values_list("account_id", flat=True)) == [logged.pk]
