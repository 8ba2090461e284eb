"""Writes of action plans: one plan per issue, decided by the service and guarded by the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AccountTeamMember
from actionplans import policies, services
from actionplans.models import ActionPlan
from organization.models import Role, User
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    DepartmentFactory,
    IssueFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db


def test_creating_a_plan_from_an_issue_twice_returns_the_first_plan(bob: User, engineering: Any) -> None:
    issue = IssueFactory.create(department=engineering)

    first = services.create_plan_from_issue(issue=issue, by=bob, now=timezone.now())
    second = services.create_plan_from_issue(issue=issue, by=bob, now=timezone.now())

    assert first == second
    assert ActionPlan.objects.count() == 1
    assert ActionPlan.issues.through.objects.filter(issue=issue).count() == 1


def test_an_issue_with_a_cancelled_plan_gets_that_plan_back_not_a_second_one(bob: User, engineering: Any) -> None:
    issue = IssueFactory.create(department=engineering)
    cancelled = ActionPlanFactory.create(account=issue.account, department=engineering, status="cancelled")
    cancelled.issues.set([issue])

    assert services.create_plan_from_issue(issue=issue, by=bob, now=timezone.now()) == cancelled
    assert ActionPlan.objects.count() == 1


def test_a_plan_cannot_take_an_issue_another_plan_answers(bob: User, engineering: Any) -> None:
    issue = IssueFactory.create(department=engineering)
    planned = services.create_plan_from_issue(issue=issue, by=bob, now=timezone.now())

    with pytest.raises(ValidationError) as refused:
        services.create_plan(
            account=issue.account,
            title="A second plan for the same words",
            owner=planned.owner,
            department=engineering,
            due_on=days_from_today(7),
            created_by=planned.owner,
            now=timezone.now(),
            issues=[issue],
        )

    assert refused.value.message_dict == {"issues": [f"Issue {issue.pk} already has a plan."]}
    assert ActionPlan.objects.count() == 1


def test_the_database_refuses_a_second_link_for_one_issue(engineering: Any) -> None:
    issue = IssueFactory.create(department=engineering)
    first, second = ActionPlanFactory.create_batch(2, account=issue.account, department=engineering)
    first.issues.set([issue])

    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.issues.through.objects.create(actionplan=second, issue=issue)


# --- who may create and own a plan (actionplans.policies, asked by the service) ------------------------------


def test_a_confidential_plan_cannot_be_given_to_someone_who_may_not_open_its_account(
    alice: User, bob: User, engineering: Any
) -> None:
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    plan = ActionPlanFactory.create(account=secret, owner=alice, department=engineering)

    with pytest.raises(ValidationError) as refused:
        services.update_plan(plan=plan, by=alice, now=timezone.now(), owner=bob)

    assert "owner" in refused.value.message_dict
    plan.refresh_from_db()
    assert plan.owner == alice


def test_a_confidential_plan_may_be_given_to_a_member_of_the_account_team(
    alice: User, bob: User, engineering: Any
) -> None:
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    AccountTeamMember.objects.create(account=secret, user=bob, role="engineering")
    plan = ActionPlanFactory.create(account=secret, owner=alice, department=engineering)

    assert services.update_plan(plan=plan, by=alice, now=timezone.now(), owner=bob).owner == bob


def test_staff_may_plan_only_for_themselves_in_their_own_department(alice: User, bob: User, engineering: Any) -> None:
    account = AccountFactory.create(owner=alice)
    plan = {"account": account, "title": "Fix it", "due_on": days_from_today(7), "now": timezone.now()}
    quality = DepartmentFactory.create(name="Quality", slug="quality")

    mine = services.create_plan(**plan, owner=bob, department=engineering, created_by=bob)
    assert mine.owner == bob
    with pytest.raises(PermissionDenied):
        services.create_plan(**plan, owner=alice, department=engineering, created_by=bob)
    with pytest.raises(PermissionDenied):
        services.create_plan(**plan, owner=bob, department=quality, created_by=bob)
    assert ActionPlan.objects.count() == 1


# --- who an escalation reaches (actionplans.policies.escalation_recipients) ------------------------------------


def test_an_escalation_with_nobody_entitled_in_its_seat_reaches_the_sponsor_not_every_executive(
    alice: User, bob: User, erin: User
) -> None:
    UserFactory.create_batch(3, role=Role.EXECUTIVE)
    secret = AccountFactory.create(owner=alice, executive_sponsor=erin, is_confidential=True)

    assert policies.escalation_recipients(seat=[bob], account=secret) == [erin]  # bob may not open it
    assert policies.escalation_recipients(seat=[], account=secret) == [erin]  # a level naming "an executive"
    assert policies.escalation_recipients(seat=[alice], account=secret) == [alice]


def test_an_account_without_a_sponsor_still_reaches_the_executives(alice: User, erin: User) -> None:
    others = UserFactory.create_batch(2, role=Role.EXECUTIVE)
    account = AccountFactory.create(owner=alice, executive_sponsor=None)

    assert set(policies.escalation_recipients(seat=[], account=account)) == {erin, *others}
