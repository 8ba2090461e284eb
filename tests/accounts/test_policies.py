"""The policies answer one object at a time; the QuerySets' visible_to answers for lists in SQL. Both must say the
same for every person and record, or a list would show what its page refuses (or hide what it opens)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts import policies
from accounts.models import Account, AccountTeamMember
from actionplans import policies as plan_policies
from actionplans.models import ActionPlan
from feedback import policies as feedback_policies
from feedback.models import Issue
from organization.models import Role
from tests.factories import AccountFactory, ActionPlanFactory, IssueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(engineering: Any) -> list[Any]:
    people = [UserFactory.create(role=role, department=engineering) for role in Role.values]
    people.append(UserFactory.create(role=Role.STAFF, department=engineering, is_superuser=True))
    return people


@pytest.fixture
def records(everyone: list[Any], engineering: Any) -> list[Account]:
    owner = UserFactory.create(role=Role.ACCOUNT_MANAGER)
    accounts = [AccountFactory.create(owner=owner), AccountFactory.create(owner=owner, is_confidential=True)]
    team_member = everyone[0]  # staff, on the confidential account's team
    AccountTeamMember.objects.create(account=accounts[1], user=team_member, role="engineering")
    for account in accounts:
        IssueFactory.create(contact_log__account=account, department=engineering)
        ActionPlanFactory.create(account=account, department=engineering)
        ActionPlanFactory.create(account=account, department=engineering, owner=everyone[1])  # owned by an AM
    return accounts


def test_can_open_account_agrees_with_the_account_list(everyone: list[Any], records: list[Account]) -> None:
    for person in everyone:
        listed = set(Account.objects.visible_to(person).values_list("pk", flat=True))
        opened = {a.pk for a in Account.objects.all() if policies.can_open_account(person=person, account=a)}
        assert (person.role, person.is_superuser, opened) == (person.role, person.is_superuser, listed)


def test_can_open_issue_and_plan_agree_with_their_lists(everyone: list[Any], records: list[Account]) -> None:
    for person in everyone:
        issues = set(Issue.objects.visible_to(person).values_list("pk", flat=True))
        plans = set(ActionPlan.objects.visible_to(person).values_list("pk", flat=True))
        assert {i.pk for i in Issue.objects.all() if feedback_policies.can_open_issue(person=person, issue=i)} == issues
        assert {p.pk for p in ActionPlan.objects.all() if plan_policies.can_open_plan(person=person, plan=p)} == plans


def test_the_people_who_may_open_a_confidential_account_are_its_owner_team_and_executives(
    everyone: list[Any], records: list[Account]
) -> None:
    secret = records[1]
    candidates = [*everyone, secret.owner]
    entitled = set(policies.recipients_who_may_open(account=secret, candidates=candidates))
    assert entitled == {p for p in candidates if policies.can_open_account(person=p, account=secret)}
    assert {(p.role, p.is_superuser) for p in entitled} == {
        ("staff", False),  # the team member
        ("account_manager", False),  # the owner
        ("executive", False),
        ("admin", False),
        ("staff", True),  # a superuser
    }


def test_an_api_client_opens_no_confidential_account(records: list[Account]) -> None:
    assert [policies.systems_may_learn_of(account=a) for a in records] == [True, False]
