"""The first sweep over a backlog: its statements do not grow with the overdue plans and issues it escalates, and
each level still reaches the people the policy names: the seat, else the sponsor, else every executive."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Account, Tier
from actionplans import services
from actionplans.models import Escalation
from organization.models import Department, Notification, Role, User, WebhookDelivery, WebhookSubscription
from tests.factories import AccountFactory, ApiClientFactory, IssueFactory, UserFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
LATE_SWEEP = datetime(2026, 12, 31, 12, 0, tzinfo=AMS)  # every level of every ladder is due by then


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


@pytest.fixture
def floor(engineering: Department) -> dict[str, Any]:
    """A department with its lead, an owner with a manager, a sponsor and two more executives."""
    engineering.lead = UserFactory.create(role=Role.DEPARTMENT_LEAD, department=engineering)
    engineering.save()
    boss = UserFactory.create(role=Role.DEPARTMENT_LEAD, department=engineering)
    owner = UserFactory.create(role=Role.ACCOUNT_MANAGER, manager=boss, department=engineering)
    sponsor, *others = UserFactory.create_batch(3, role=Role.EXECUTIVE, department=None)
    client, _ = ApiClientFactory.create(name="ticketing", department=engineering)
    WebhookSubscription.objects.create(
        api_client=client, url="https://ticketing.example/hooks", secret="whsec_test", events=["plan.escalated"]
    )
    return {"lead": engineering.lead, "boss": boss, "owner": owner, "sponsor": sponsor, "executives": others}


def backlog(count: int, floor: dict[str, Any], engineering: Department) -> None:
    """`count` accounts, each with an overdue plan and an unacknowledged issue: Key accounts with a sponsor, Core
    ones without (their "any executive" level reaches every executive), and one confidential account whose team
    has neither the owner's manager nor the lead."""
    for n in range(count):
        core = n % 2 == 1
        account = AccountFactory.create(
            owner=floor["owner"],
            executive_sponsor=None if core else floor["sponsor"],
            is_confidential=n == 0,
        )
        Account.objects.filter(pk=account.pk).update(tier=Tier.CORE if core else Tier.KEY)
        account.refresh_from_db()
        services.create_plan(
            account=account,
            title=f"Overdue plan {n}",
            owner=floor["owner"],
            department=engineering,
            due_on=date(2026, 11, 23),
            created_by=floor["owner"],
            now=at("2026-11-20T10:00"),
        )
        IssueFactory.create(
            contact_log__account=account,
            contact_log__author=floor["owner"],
            department=engineering,
            raised_at=at("2026-11-20T10:00"),
        )


def notified(user: User) -> int:
    return Notification.objects.filter(user=user, kind__in=["plan.escalated", "issue.escalated"]).count()


# The due plans' ids. Per batch of plans, in its transaction (a savepoint here): the locked plans (+ account, owner,
# department), the calendar, the ladders, the levels reached, the severities of the plans' issues, the escalations
# (one INSERT, in a savepoint: the backstop), the people in their seats, the confidential account's team, every
# executive (the Core accounts have no sponsor), whom each escalation notified, the notifications, the webhook
# subscriptions and deliveries, the next escalation times. The issues whose clock has come (one range of an
# index); per batch of issues, as for plans, less the severities, the executives (the Key issues' "any executive"
# reaches their sponsor) and the webhooks (no event for issues).
PLAN_BATCH = 2 + 15 + 1
ISSUE_BATCH = 2 + 11 + 1
SWEEP = 1 + PLAN_BATCH + 1 + ISSUE_BATCH


@pytest.mark.parametrize("count", [5, 50])
def test_the_first_sweep_over_a_backlog_costs_the_same_statements_for_5_or_50_plans_and_issues(
    floor: dict[str, Any], engineering: Department, django_assert_num_queries: Any, count: int
) -> None:
    backlog(count, floor, engineering)

    with django_assert_num_queries(SWEEP):
        plans, issues = services.run_sweep(now=LATE_SWEEP)

    key, core = (count + 1) // 2, count // 2
    assert (plans, issues) == (3 * count, 2 * key + core)  # three plan levels each; issues: Key two, Core one
    assert Escalation.objects.count() == plans + issues
    assert WebhookDelivery.objects.filter(event="plan.escalated").count() == 3 * (count - 1)  # not the confidential
    assert services.run_sweep(now=LATE_SWEEP) == (0, 0)  # nothing twice


def test_each_level_of_the_backlog_reaches_whom_the_policy_names(
    floor: dict[str, Any], engineering: Department
) -> None:
    count = 6
    backlog(count, floor, engineering)

    services.run_sweep(now=LATE_SWEEP)

    key, core = (count + 1) // 2, count // 2
    assert notified(floor["boss"]) == count - 1  # plan level 1, the owner's manager: not on the confidential team
    assert notified(floor["lead"]) == 2 * (count - 1)  # plan level 2 and issue level 1
    # The other executives: only the Core accounts' "any executive" level, as those accounts have no sponsor
    assert [notified(executive) for executive in floor["executives"]] == [core, core]
    # The sponsor, an executive too: that, and their Key accounts' plan level 3 and issue level 2, and every level
    # of the confidential account, where the seats hold nobody on its team
    assert notified(floor["sponsor"]) == core + 2 * (key - 1) + 5
    assert Notification.objects.count() == Escalation.notified.through.objects.count()


def test_the_beat_sweep_sends_batches_that_escalate_everything_due_once(
    floor: dict[str, Any], engineering: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    from actionplans import tasks

    backlog(5, floor, engineering)
    monkeypatch.setattr(tasks, "TASK_BATCH", 2)  # 5 plans and 5 issues: three batches of each
    batches: list[list[int]] = []
    send = tasks.escalate_plans_task.delay

    def record(ids: list[int]) -> Any:
        batches.append(ids)
        return send(ids)

    monkeypatch.setattr(tasks.escalate_plans_task, "delay", record)

    tasks.escalation_sweep_task.delay()  # eager in tests: each batch runs as it is sent

    assert [len(batch) for batch in batches] == [2, 2, 1]
    escalated = Escalation.objects.count()
    assert Escalation.objects.filter(plan__isnull=False).values("plan").distinct().count() == 5
    assert Escalation.objects.filter(issue__isnull=False).values("issue").distinct().count() == 5
    assert services.run_sweep(now=timezone.now()) == (0, 0)  # nothing due was left for the next sweep
    assert Escalation.objects.count() == escalated
