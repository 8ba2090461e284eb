from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account, Tier
from actionplans import services
from actionplans.models import ActionPlan, Escalation, PlanStatus, PlanStep
from feedback.models import Issue, IssueStatus
from organization.models import Department, Role, User
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    IssueFactory,
    PlanStepFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db

PLAN_FIELDS = {
    "id",
    "account",
    "account_name",
    "tier",
    "title",
    "owner",
    "department",
    "status",
    "due_on",
    "promise_on",
    "promised_at",
    "resolution",
    "resolved_at",
    "confirmed_at",
    "customer_confirmation",
    "issues",
    "steps",
    "overdue",
    "promise_broken",
    "next_escalation_at",
    "version",
    "created_at",
    "updated_at",
}


def as_system(api: APIClient, token: str) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def as_person(api: APIClient, user: User) -> APIClient:
    api.force_authenticate(user)
    return api


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def plan_url(plan: ActionPlan, action: str = "") -> str:
    return reverse(f"api:action-plan{'-' + action if action else ''}", kwargs={"pk": plan.pk})


@pytest.fixture
def account(alice: User) -> Account:
    return AccountFactory.create(name="Northwind", owner=alice)


@pytest.fixture
def secret(alice: User) -> Account:
    """A confidential account owned by alice: hidden from bob (off its team) and from API clients."""
    return AccountFactory.create(name="Hush Industries", owner=alice, is_confidential=True)


@pytest.fixture
def plan(account: Account, engineering: Department) -> ActionPlan:
    return ActionPlanFactory.create(account=account, department=engineering, title="Replace the housings")


def payload(account: Account, owner: User, department: Department, **overrides: Any) -> dict[str, Any]:
    body = {
        "account": account.pk,
        "title": "Send a named engineer",
        "owner": owner.pk,
        "department": department.pk,
        "due_on": days_from_today(10).isoformat(),
        "promise_on": days_from_today(14).isoformat(),
        "steps": [{"title": "Call the plant manager", "assignee": owner.pk}, {"title": "Visit the line"}],
    }
    return {**body, **overrides}


# --- create ----------------------------------------------------------------------------------------------------


def test_a_person_creates_a_plan_that_moves_its_issues_to_planned(
    api: APIClient, alice: User, bob: User, account: Account, engineering: Department
) -> None:
    issue = IssueFactory.create(contact_log__account=account, department=engineering)
    body = payload(account, bob, engineering, issues=[issue.pk])

    response = as_person(api, alice).post(reverse("api:action-plans"), body, format="json")

    assert response.status_code == 201
    plan = ActionPlan.objects.get()
    assert response["Location"] == plan_url(plan)
    assert response["ETag"] == '"1"'
    assert set(response.json()) == PLAN_FIELDS
    assert (plan.created_by, plan.owner, plan.promised_at is not None) == (alice, bob, True)
    assert response.json()["issues"] == [issue.pk]
    assert [(s["title"], s["assignee"]) for s in response.json()["steps"]] == [
        ("Call the plant manager", bob.pk),
        ("Visit the line", None),
    ]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PLANNED


def test_an_api_client_creates_a_plan_on_behalf_of_the_account_owner(
    api: APIClient, write_token: str, alice: User, bob: User, account: Account, engineering: Department
) -> None:
    response = as_system(api, write_token).post(
        reverse("api:action-plans"), payload(account, bob, engineering), format="json"
    )

    assert response.status_code == 201
    assert ActionPlan.objects.get().created_by == alice


def test_an_issue_of_another_account_is_a_400_and_writes_nothing(
    api: APIClient, alice: User, account: Account, engineering: Department
) -> None:
    elsewhere = IssueFactory.create(department=engineering)
    body = payload(account, alice, engineering, issues=[elsewhere.pk])

    response = as_person(api, alice).post(reverse("api:action-plans"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"issues"}
    assert not ActionPlan.objects.exists()
    assert not PlanStep.objects.exists()
    elsewhere.refresh_from_db()
    assert elsewhere.status == IssueStatus.NEW


def test_a_bad_step_row_is_a_field_level_400_and_writes_nothing(
    api: APIClient, alice: User, account: Account, engineering: Department
) -> None:
    body = payload(account, alice, engineering, steps=[{"title": "Fine"}, {"title": ""}])

    response = as_person(api, alice).post(reverse("api:action-plans"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"steps.1.title"}
    assert not ActionPlan.objects.exists()


def test_an_account_or_issue_the_caller_may_not_see_is_a_400_that_reveals_nothing(
    api: APIClient, write_token: str, alice: User, secret: Account, engineering: Department
) -> None:
    hidden_issue = IssueFactory.create(contact_log__account=secret, department=engineering)
    body = payload(secret, alice, engineering, issues=[hidden_issue.pk])

    response = as_system(api, write_token).post(reverse("api:action-plans"), body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["account"] == [f'Invalid pk "{secret.pk}" - object does not exist.']
    assert set(response.json()["errors"]) == {"account", "issues"}
    assert not ActionPlan.objects.exists()


def test_a_department_member_creates_a_plan_from_an_issue(
    api: APIClient, bob: User, account: Account, engineering: Department
) -> None:
    issue = IssueFactory.create(contact_log__account=account, department=engineering, verbatim="The line stopped.")

    response = as_person(api, bob).post(reverse("api:action-plans"), {"from_issue": issue.pk}, format="json")

    assert response.status_code == 201
    plan = ActionPlan.objects.get()
    assert (plan.title, plan.owner, plan.created_by, plan.department) == ("The line stopped.", bob, bob, engineering)
    assert len(response.json()["steps"]) == 6
    assert response.json()["issues"] == [issue.pk]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PLANNED


def test_an_api_client_creates_a_plan_from_an_issue_for_the_account_owner(
    api: APIClient, write_token: str, alice: User, account: Account, engineering: Department
) -> None:
    issue = IssueFactory.create(contact_log__account=account, department=engineering)

    response = as_system(api, write_token).post(reverse("api:action-plans"), {"from_issue": issue.pk}, format="json")

    assert response.status_code == 201
    assert (response.json()["owner"], ActionPlan.objects.get().created_by) == (alice.pk, alice)


def test_a_second_plan_from_the_same_issue_is_a_400(
    api: APIClient, bob: User, account: Account, engineering: Department
) -> None:
    issue = IssueFactory.create(contact_log__account=account, department=engineering)
    as_person(api, bob).post(reverse("api:action-plans"), {"from_issue": issue.pk}, format="json")

    response = api.post(reverse("api:action-plans"), {"from_issue": issue.pk}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"from_issue"}
    assert ActionPlan.objects.count() == 1


def test_a_read_only_client_cannot_create_a_plan(
    api: APIClient, read_token: str, alice: User, account: Account, engineering: Department
) -> None:
    response = as_system(api, read_token).post(
        reverse("api:action-plans"), payload(account, alice, engineering), format="json"
    )

    assert response.status_code == 403
    assert not ActionPlan.objects.exists()


def test_a_post_retried_with_its_key_creates_one_plan_and_answers_the_same_each_time(
    api: APIClient, write_token: str, alice: User, account: Account, engineering: Department
) -> None:
    body = payload(account, alice, engineering)
    as_system(api, write_token)

    responses = [
        api.post(reverse("api:action-plans"), body, format="json", headers={"Idempotency-Key": "plan-7f3a"})
        for _ in range(3)
    ]

    assert ActionPlan.objects.count() == 1
    assert PlanStep.objects.count() == 2
    assert [(r.status_code, r.json()) for r in responses] == [(201, responses[0].json())] * 3
    assert [r.headers.get("Idempotent-Replayed") for r in responses] == [None, "true", "true"]


# --- reading ---------------------------------------------------------------------------------------------------


def test_the_plan_list_is_earliest_due_first_and_filters_by_overdue_status_and_tier(
    api: APIClient, read_token: str, alice: User
) -> None:
    strategic = AccountFactory.create(owner=alice, tier=Tier.STRATEGIC)
    core = AccountFactory.create(owner=alice, tier=Tier.CORE)
    late = ActionPlanFactory.create(account=strategic, overdue=True)
    later = ActionPlanFactory.create(account=strategic, due_on=days_from_today(20))
    waiting = ActionPlanFactory.create(account=core, due_on=days_from_today(-1), status=PlanStatus.WAITING)
    ActionPlanFactory.create(account=core, overdue=True, status=PlanStatus.CANCELLED)
    as_system(api, read_token)

    everything = api.get(reverse("api:action-plans"))
    overdue = api.get(reverse("api:action-plans"), {"overdue": "true"})
    waiting_only = api.get(reverse("api:action-plans"), {"status": "waiting_on_customer"})
    strategic_only = api.get(reverse("api:action-plans"), {"tier": "strategic"})
    not_overdue = api.get(reverse("api:action-plans"), {"overdue": "false", "tier": "strategic"})

    assert len(ids(everything)) == 4
    assert ids(everything)[0] == late.pk
    assert ids(overdue) == [late.pk, waiting.pk]
    assert ids(waiting_only) == [waiting.pk]
    assert ids(strategic_only) == [late.pk, later.pk]
    assert ids(not_overdue) == [later.pk]
    assert everything.json()["results"][0]["overdue"] is True
    assert everything.json()["results"][0]["tier"] == "strategic"


def test_an_unknown_tier_is_a_400_with_the_error_body(api: APIClient, read_token: str) -> None:
    response = as_system(api, read_token).get(reverse("api:action-plans"), {"tier": "platinum"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"tier"}


def _plans_with_everything(count: int) -> None:
    """Each plan at its own account, with two issues and two steps: every relation in use."""
    for plan in ActionPlanFactory.create_batch(count):
        plan.issues.set(IssueFactory.create_batch(2, contact_log__account=plan.account))
        PlanStepFactory.create_batch(2, plan=plan)


@pytest.mark.parametrize("count", [1, 30])
def test_the_plan_list_query_count_does_not_grow_for_a_client(
    api: APIClient, read_token: str, django_assert_num_queries: Any, count: int
) -> None:
    _plans_with_everything(count)

    # the client by token prefix, its last_used_at and hourly audit claim, the audit row,
    # the page of plans (+account, owner, department), the issues,
    # the steps
    with django_assert_num_queries(6):
        response = as_system(api, read_token).get(reverse("api:action-plans"))

    assert len(response.json()["results"]) == count
    assert all(len(row["issues"]) == len(row["steps"]) == 2 for row in response.json()["results"])


@pytest.mark.parametrize("count", [1, 30])
def test_the_plan_list_query_count_does_not_grow_for_a_person(
    api: APIClient, bob: User, django_assert_num_queries: Any, count: int
) -> None:
    _plans_with_everything(count)

    # the page of plans (+account, owner, department, the team check as a subquery), the issues, the steps
    with django_assert_num_queries(3):
        response = as_person(api, bob).get(reverse("api:action-plans"))

    assert len(response.json()["results"]) == count


def test_a_plan_detail_carries_its_version_as_etag(api: APIClient, read_token: str, plan: ActionPlan) -> None:
    response = as_system(api, read_token).get(plan_url(plan))

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["title"] == "Replace the housings"


# --- confidentiality -------------------------------------------------------------------------------------------


@pytest.fixture
def secret_plan(secret: Account) -> ActionPlan:
    return ActionPlanFactory.create(account=secret, title="Keep them from leaving")


def test_a_confidential_accounts_plans_are_hidden_from_an_api_client(
    api: APIClient, read_token: str, secret_plan: ActionPlan, plan: ActionPlan
) -> None:
    as_system(api, read_token)

    assert ids(api.get(reverse("api:action-plans"))) == [plan.pk]
    assert api.get(plan_url(secret_plan)).status_code == 404


def test_a_confidential_accounts_plans_are_hidden_from_a_user_off_its_team(
    api: APIClient, bob: User, secret_plan: ActionPlan, plan: ActionPlan
) -> None:
    as_person(api, bob)

    assert ids(api.get(reverse("api:action-plans"))) == [plan.pk]
    assert api.get(plan_url(secret_plan)).status_code == 404


def test_a_confidential_accounts_plans_are_visible_to_its_owner(
    api: APIClient, alice: User, secret_plan: ActionPlan
) -> None:
    assert as_person(api, alice).get(plan_url(secret_plan)).status_code == 200


# --- editing ---------------------------------------------------------------------------------------------------


def test_the_owner_patches_a_plan_with_its_version(api: APIClient, alice: User, plan: ActionPlan) -> None:
    response = as_person(api, alice).patch(
        plan_url(plan), {"title": "Replace every housing"}, format="json", headers={"If-Match": '"1"'}
    )

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["title"] == "Replace every housing"


def test_patch_with_a_stale_version_is_412_and_leaves_the_plan_alone(
    api: APIClient, alice: User, plan: ActionPlan
) -> None:
    ActionPlan.objects.filter(pk=plan.pk).update(version=3)

    response = as_person(api, alice).patch(plan_url(plan), {"title": "Mine", "version": 2}, format="json")

    assert response.status_code == 412
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("Replace the housings", 3)


def test_patch_without_any_version_is_428(api: APIClient, alice: User, plan: ActionPlan) -> None:
    response = as_person(api, alice).patch(plan_url(plan), {"title": "Mine"}, format="json")

    assert response.status_code == 428


def test_only_people_who_may_change_a_plan_patch_it(api: APIClient, bob: User, plan: ActionPlan) -> None:
    response = as_person(api, bob).patch(plan_url(plan), {"title": "Mine", "version": 1}, format="json")

    assert response.status_code == 403


def test_an_api_client_cannot_patch_or_move_a_plan(api: APIClient, write_token: str, plan: ActionPlan) -> None:
    as_system(api, write_token)

    patched = api.patch(plan_url(plan), {"title": "Mine", "version": 1}, format="json")
    moved = api.post(plan_url(plan, "status"), {"status": "in_progress"}, format="json")

    assert (patched.status_code, moved.status_code) == (403, 403)
    plan.refresh_from_db()
    assert (plan.title, plan.status) == ("Replace the housings", PlanStatus.OPEN)


def test_resolving_without_a_resolution_is_a_400_and_changes_nothing(
    api: APIClient, alice: User, plan: ActionPlan
) -> None:
    response = as_person(api, alice).post(plan_url(plan, "status"), {"status": "resolved"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"resolution"}
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (PlanStatus.OPEN, 1)


def test_the_owner_resolves_a_plan_and_its_issues(api: APIClient, alice: User, plan: ActionPlan) -> None:
    issue = IssueFactory.create(contact_log__account=plan.account)
    plan.issues.add(issue)

    response = as_person(api, alice).post(
        plan_url(plan, "status"),
        {"status": "resolved", "resolution": "New housings fitted.", "version": 1},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response["ETag"]) == ("resolved", '"2"')
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED


# --- escalations -----------------------------------------------------------------------------------------------


@pytest.fixture
def manager(engineering: Department) -> User:
    return UserFactory.create(full_name="Mona Manager", role=Role.DEPARTMENT_LEAD, department=engineering)


@pytest.fixture
def escalation(manager: User, engineering: Department) -> Escalation:
    owner = UserFactory.create(full_name="Olly Owner", role=Role.ACCOUNT_MANAGER, manager=manager)
    plan = ActionPlanFactory.create(account__owner=owner, department=engineering, overdue=True)
    fired = services.escalate_plan(plan_id=plan.pk, now=timezone.now() + timedelta(days=30))
    return next(e for e in fired if e.level == 1)


def test_the_escalation_list_shows_those_of_visible_plans_and_filters_open_ones(
    api: APIClient, read_token: str, escalation: Escalation, manager: User
) -> None:
    as_system(api, read_token)
    query: dict[str, Any] = {"plan": escalation.plan_id, "level": 1, "open": "true"}

    response = api.get(reverse("api:escalations"), query)

    assert ids(response) == [escalation.pk]
    row = response.json()["results"][0]
    assert (row["target"], row["notified"], row["acknowledged_at"]) == ("owner_manager", [manager.pk], None)
    assert ids(api.get(reverse("api:escalations"), {**query, "open": "false"})) == []


def test_the_manager_it_reached_acknowledges_an_escalation(
    api: APIClient, manager: User, escalation: Escalation
) -> None:
    url = reverse("api:escalation-acknowledge", kwargs={"pk": escalation.pk})

    response = as_person(api, manager).post(url, format="json")

    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == manager.pk
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is not None


def test_someone_it_did_not_reach_cannot_acknowledge_an_escalation(
    api: APIClient, bob: User, escalation: Escalation
) -> None:
    url = reverse("api:escalation-acknowledge", kwargs={"pk": escalation.pk})

    response = as_person(api, bob).post(url, format="json")

    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_escalations_of_a_confidential_account_are_hidden_from_an_api_client(
    api: APIClient, read_token: str, escalation: Escalation
) -> None:
    Account.objects.filter(plans=escalation.plan_id).update(is_confidential=True)

    response = as_system(api, read_token).get(reverse("api:escalations"))

    assert ids(response) == []


def test_issue_escalations_are_listed_too(api: APIClient, erin: User, engineering: Department) -> None:
    issue = IssueFactory.create(department=engineering, raised_at=timezone.now() - timedelta(days=30))
    fired = services.escalate_issue(issue_id=issue.pk, now=timezone.now())

    response = as_person(api, erin).get(reverse("api:escalations"))

    assert fired
    assert {row["issue"] for row in response.json()["results"]} == {Issue.objects.get().pk}
