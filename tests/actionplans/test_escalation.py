"""Escalation timing in business hours, with a frozen clock: each level at its delay, never before, once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Account, Tier
from actionplans import selectors, services
from actionplans.models import (
    BusinessCalendar,
    Escalation,
    EscalationAction,
    EscalationPolicy,
    PlanStatus,
    Trigger,
)
from organization.models import Notification, Role
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


@pytest.fixture
def people(engineering: Any) -> dict[str, Any]:
    boss = UserFactory.create(full_name="Mona Manager", role=Role.DEPARTMENT_LEAD, department=engineering)
    engineering.lead = UserFactory.create(full_name="Lee Lead", role=Role.DEPARTMENT_LEAD, department=engineering)
    engineering.save()
    owner = UserFactory.create(full_name="Olly Owner", role=Role.ACCOUNT_MANAGER, manager=boss, department=engineering)
    sponsor = UserFactory.create(full_name="Sam Sponsor", role=Role.EXECUTIVE)
    return {"boss": boss, "lead": engineering.lead, "owner": owner, "sponsor": sponsor}


@pytest.fixture
def plan(people: dict[str, Any], engineering: Any) -> Any:
    account = AccountFactory.create(owner=people["owner"], executive_sponsor=people["sponsor"])
    Account.objects.filter(pk=account.pk).update(tier=Tier.KEY)
    account.refresh_from_db()
    # Due Monday 23 Nov 2026: overdue from Tuesday 00:00, business hours Mon–Fri 08–18 Amsterdam.
    return services.create_plan(
        account=account,
        title="Replace the cracked housings",
        owner=people["owner"],
        department=engineering,
        due_on=date(2026, 11, 23),
        created_by=people["owner"],
        now=at("2026-11-20T10:00"),
    )


def levels(plan: Any) -> list[int]:
    return sorted(Escalation.objects.filter(plan=plan).values_list("level", flat=True))


def test_the_calendar_counts_only_working_hours() -> None:
    cal = BusinessCalendar.objects.get(name="default")
    assert cal.business_seconds(at("2026-11-20T17:00"), at("2026-11-23T09:00")) == 2 * 3600  # Fri 17–18, Mon 8–9
    assert cal.add_business_seconds(at("2026-11-24T00:00"), 24 * 3600) == at("2026-11-26T12:00")
    cal.holidays = ["2026-11-25"]
    assert cal.add_business_seconds(at("2026-11-24T00:00"), 24 * 3600) == at("2026-11-27T12:00")


def test_level_one_fires_at_its_delay_and_not_a_minute_before(plan: Any, people: dict[str, Any]) -> None:
    # Key × medium, level 1 after 24 business hours: Tue 10 h + Wed 10 h + Thu 08–12.
    assert plan.next_escalation_at == at("2026-11-26T12:00")
    assert services.escalate_plan(plan_id=plan.pk, now=at("2026-11-26T11:59")) == []
    fired = services.escalate_plan(plan_id=plan.pk, now=at("2026-11-26T12:00"))
    assert [(e.level, list(e.notified.all())) for e in fired] == [(1, [people["boss"]])]
    assert Notification.objects.filter(user=people["boss"], kind="plan.escalated").count() == 1


def test_each_level_once_however_often_the_sweep_runs(plan: Any) -> None:
    for minute in range(3):
        services.escalate_plan(plan_id=plan.pk, now=at(f"2026-11-26T12:0{minute}"))
    assert levels(plan) == [1]
    # Level 2 after 72 business hours: Tue..Fri (40 h), Mon..Wed (30 h), Thu 1 Dec 08–10.
    services.escalate_plan(plan_id=plan.pk, now=at("2026-12-03T09:59"))
    assert levels(plan) == [1]
    services.escalate_plan(plan_id=plan.pk, now=at("2026-12-03T10:00"))
    services.escalate_plan(plan_id=plan.pk, now=at("2026-12-03T10:00"))
    assert levels(plan) == [1, 2]
    assert Notification.objects.filter(kind="plan.escalated").count() == 2


def test_an_escalation_that_reassigns_a_plan_bumps_its_version_and_records_the_new_owner(
    plan: Any, people: dict[str, Any]
) -> None:
    EscalationPolicy.objects.filter(trigger=Trigger.PLAN_OVERDUE, tier=Tier.KEY, severity="medium", level=1).update(
        action=EscalationAction.NOTIFY_REASSIGN
    )
    services.escalate_plan(plan_id=plan.pk, now=at("2026-11-26T12:00"))
    plan.refresh_from_db()
    latest = plan.history.first()
    assert (plan.owner, plan.version) == (people["boss"], 2)
    assert (latest.owner, latest.history_user, latest.history_change_reason) == (
        people["boss"],
        None,  # the escalation engine, not a person
        "Escalation level 1 reassigned it",
    )
    assert plan.history.count() == 2  # created, then reassigned


def test_a_late_sweep_catches_up_every_level_due(plan: Any, people: dict[str, Any]) -> None:
    fired = services.escalate_plan(plan_id=plan.pk, now=at("2026-12-31T12:00"))
    assert [e.level for e in fired] == [1, 2, 3]
    assert list(fired[2].notified.all()) == [people["sponsor"]]


def test_waiting_on_the_customer_pauses_the_clock(plan: Any, people: dict[str, Any]) -> None:
    owner = people["owner"]
    services.change_status(plan=plan, status=PlanStatus.WAITING, by=owner, now=at("2026-11-25T08:00"))
    assert services.escalate_plan(plan_id=plan.pk, now=at("2026-11-26T12:00")) == []  # paused: nothing fires
    plan = services.change_status(plan=plan, status=PlanStatus.IN_PROGRESS, by=owner, now=at("2026-11-26T08:00"))
    # 10 business hours paused (Wed 08 – Thu 08): level 1 moves from Thu 12:00 to Fri 12:00.
    assert plan.next_escalation_at == at("2026-11-27T12:00")
    assert services.escalate_plan(plan_id=plan.pk, now=at("2026-11-27T11:59")) == []
    assert [e.level for e in services.escalate_plan(plan_id=plan.pk, now=at("2026-11-27T12:00"))] == [1]


def test_acknowledging_an_escalation_stops_further_levels(plan: Any, people: dict[str, Any]) -> None:
    (first,) = services.escalate_plan(plan_id=plan.pk, now=at("2026-11-26T12:00"))
    services.acknowledge_escalation(escalation=first, by=people["boss"], now=at("2026-11-26T13:00"))
    assert services.escalate_plan(plan_id=plan.pk, now=at("2026-12-31T12:00")) == []
    assert levels(plan) == [1]


def test_only_the_people_it_reached_acknowledge(plan: Any, people: dict[str, Any]) -> None:
    (first,) = services.escalate_plan(plan_id=plan.pk, now=at("2026-11-26T12:00"))
    with pytest.raises(PermissionDenied):
        services.acknowledge_escalation(escalation=first, by=people["owner"], now=at("2026-11-26T13:00"))


def test_resolving_the_plan_stops_the_ladder_and_resolves_its_issues(plan: Any, people: dict[str, Any]) -> None:
    services.escalate_plan(plan_id=plan.pk, now=at("2026-11-26T12:00"))
    resolved = services.change_status(
        plan=plan,
        status=PlanStatus.RESOLVED,
        resolution="New housings shipped.",
        by=people["owner"],
        now=at("2026-11-27T09:00"),
    )
    assert resolved.next_escalation_at is None
    assert services.escalate_plan(plan_id=plan.pk, now=at("2026-12-31T12:00")) == []
    assert levels(plan) == [1]


def test_resolving_needs_a_resolution(plan: Any, people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        services.change_status(plan=plan, status=PlanStatus.RESOLVED, by=people["owner"], now=at("2026-11-24T09:00"))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN


def test_strategic_accounts_climb_faster(plan: Any) -> None:
    Account.objects.filter(pk=plan.account_id).update(tier=Tier.STRATEGIC)
    plan.refresh_from_db()
    # Strategic × medium, level 1 after 8 business hours: Tue 08–16.
    assert services.next_escalation_at(plan) == at("2026-11-24T16:00")


def test_a_new_due_date_restarts_the_ladder_from_the_next_level(plan: Any, people: dict[str, Any]) -> None:
    (first,) = services.escalate_plan(plan_id=plan.pk, now=at("2026-11-26T12:00"))
    services.acknowledge_escalation(escalation=first, by=people["boss"], now=at("2026-11-26T13:00"))
    plan = services.update_plan(plan=plan, by=people["owner"], now=at("2026-11-26T14:00"), due_on=date(2026, 12, 4))
    # level 2 (72 business hours) after the new due date
    assert plan.next_escalation_at is not None and plan.next_escalation_at > at("2026-12-04T23:59")


def test_an_unacknowledged_issue_escalates_to_the_department_lead(people: dict[str, Any], engineering: Any) -> None:
    from feedback.models import Issue

    account = AccountFactory.create(owner=people["owner"])
    Account.objects.filter(pk=account.pk).update(tier=Tier.STRATEGIC)
    issue = Issue.objects.create(
        account=account,
        department=engineering,
        verbatim="Line down, nobody called back.",
        severity="high",
        raised_by=people["owner"],
        raised_at=at("2026-11-24T09:00"),
    )
    # Strategic × high: level 1 after 4 business hours
    assert services.escalate_issue(issue_id=issue.pk, now=at("2026-11-24T12:59")) == []
    (fired,) = services.escalate_issue(issue_id=issue.pk, now=at("2026-11-24T13:00"))
    assert list(fired.notified.all()) == [people["lead"]]
    assert services.escalate_issue(issue_id=issue.pk, now=at("2026-11-24T13:00")) == []


def test_an_issue_at_the_top_of_its_own_ladder_leaves_the_sweep(people: dict[str, Any], engineering: Any) -> None:
    from feedback.models import Issue

    account = AccountFactory.create(owner=people["owner"])
    Account.objects.filter(pk=account.pk).update(tier=Tier.CORE)  # a one-level ladder; Strategic has two
    issue = Issue.objects.create(
        account=account,
        department=engineering,
        verbatim="Nobody answers the service line.",
        severity="high",
        raised_by=people["owner"],
        raised_at=at("2026-11-24T09:00"),
    )
    assert issue.pk in selectors.issue_ids_due_for_escalation(now=at("2026-11-27T12:00"))

    services.run_sweep(now=at("2026-11-27T12:00"))

    assert issue.escalations.count() == 1
    assert issue.pk not in selectors.issue_ids_due_for_escalation(now=at("2027-11-27T12:00"))  # a year on: still done


def test_an_issue_raised_on_friday_evening_waits_for_working_hours_before_the_sweep_looks(
    people: dict[str, Any], engineering: Any
) -> None:
    from feedback.models import Issue

    account = AccountFactory.create(owner=people["owner"])
    Account.objects.filter(pk=account.pk).update(tier=Tier.CORE)  # Core × high: level 1 after 16 business hours
    issue = Issue.objects.create(
        account=account,
        department=engineering,
        verbatim="The replacement part never arrived.",
        severity="high",
        raised_by=people["owner"],
        raised_at=at("2026-11-27T17:00"),
    )

    # The first sweep after it was raised sets its clock; until the clock comes, no sweep sends it to be escalated.
    assert services.run_sweep(now=at("2026-11-27T17:01")) == (0, 0)
    assert selectors.issue_ids_due_for_escalation(now=at("2026-11-29T12:00")) == []  # 43 calendar hours, 1 working
    assert selectors.issue_ids_due_for_escalation(now=at("2026-12-01T12:59")) == []
    assert selectors.issue_ids_due_for_escalation(now=at("2026-12-01T13:00")) == [issue.pk]
    assert services.run_sweep(now=at("2026-12-01T13:00")) == (0, 1)


def test_run_sweep_escalates_everything_due(plan: Any) -> None:
    plans, _ = services.run_sweep(now=at("2026-11-26T12:00"))
    assert plans == 1
    assert services.run_sweep(now=at("2026-11-26T12:01")) == (0, 0)


def test_the_weekly_digest_tells_each_owner_once_what_they_owe(plan: Any, people: dict[str, Any]) -> None:
    assert services.send_weekly_digests(now=at("2026-11-30T07:00")) == 1
    assert services.send_weekly_digests(now=at("2026-11-30T08:00")) == 0  # same week: nothing new
    digest = Notification.objects.get(kind="digest.weekly")
    assert digest.user == people["owner"]
    assert "Replace the cracked housings" in digest.body and "(overdue)" in digest.body
    assert services.send_weekly_digests(now=at("2026-12-07T07:00")) == 1  # next week: a new one


def test_promise_reminders_go_out_once_before_the_date(plan: Any, people: dict[str, Any]) -> None:
    services.update_plan(plan=plan, by=people["owner"], now=at("2026-11-24T09:00"), promise_on=date(2026, 11, 27))
    assert services.remind_promises(now=at("2026-11-24T10:00")) == 0  # three days ahead: not yet
    assert services.remind_promises(now=at("2026-11-25T10:00")) == 1
    assert services.remind_promises(now=at("2026-11-26T10:00")) == 0
