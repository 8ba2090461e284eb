"""Answers come back as work (deliverable 3), and stay with those who may see their account (deliverable 6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import timeline
from accounts.models import Account, AccountTeamMember
from actionplans import services as plan_services
from actionplans.models import PlanStatus
from feedback.models import Issue
from organization.models import Department, Notification, Role, User, WebhookDelivery
from organization.webhooks import services as webhooks
from surveys import links, services, tasks
from surveys.models import DimensionOwner, SurveyAnswer, SurveyCampaign, SurveyInvitation, SurveyResponse
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    ApiClientFactory,
    ContactFactory,
    ContactLogFactory,
    DepartmentFactory,
    IssueFactory,
    UserFactory,
)
from tests.surveys.helpers import annual, form_data, seeded_templates

pytestmark = pytest.mark.django_db
CRUSHED = "The pallets arrived crushed, twice.\nAnd nobody called us back!"


@pytest.fixture
def quality() -> Department:
    return DepartmentFactory.create(name="Quality", slug="quality")


@pytest.fixture
def sales() -> Department:
    return DepartmentFactory.create(name="Sales", slug="sales")


@pytest.fixture
def quinn(quality: Department) -> User:
    return UserFactory.create(email="quinn@example.com", full_name="Quinn Quality", department=quality)


def survey(alice: User, account: Account) -> tuple[SurveyCampaign, str]:
    ContactFactory.create(account=account, name="Ann Anders", email="ann@customer.example")
    campaign = services.start_campaign(by=alice, template=annual(), name="Annual 2026", now=timezone.now())
    services.send_invitations(campaign_id=campaign.pk, now=timezone.now())
    invitation = SurveyInvitation.objects.get(campaign=campaign)
    return campaign, f"/s/{links.make_token(invitation)}/"


def test_a_detractor_answer_raises_one_issue_in_the_owning_departments_inbox_in_the_customers_words(
    alice: User,
    quality: Department,
    quinn: User,
    sales: Department,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    account = AccountFactory.create(owner=alice, name="Acme Pumps")
    campaign, link = survey(alice, account)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign, comments={"delivery": CRUSHED}, score=4) | _delivery(campaign, 2))

    issue = Issue.objects.get()
    assert issue.verbatim == CRUSHED
    assert issue.department == quality and issue.account == account and issue.contact_log is None
    assert SurveyAnswer.objects.get(issue=issue).dimension == "delivery"
    client.force_login(quinn)
    assert CRUSHED.split("\n")[0] in client.get(reverse("feedback:inbox")).content.decode()
    assert Notification.objects.filter(user=quinn, kind="issue.routed").count() == 1
    assert Notification.objects.filter(user=alice, kind="survey.detractor").count() == 1


def test_a_retried_task_or_a_second_submit_raises_no_second_issue(
    alice: User, quality: Department, sales: Department, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    campaign, link = survey(alice, account)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign, comments={"delivery": CRUSHED}) | _delivery(campaign, 1))
    response = SurveyResponse.objects.get()

    services.raise_issues_for_response(response_id=response.pk, now=timezone.now())
    tasks.raise_issues_task.apply(args=(response.pk,))
    again = client.post(link, form_data(campaign, comments={"delivery": CRUSHED}) | _delivery(campaign, 1))

    assert again.status_code == 404
    assert Issue.objects.count() == 1


def test_a_recommend_score_of_six_or_less_raises_an_issue_for_the_business_relationships_owner(
    alice: User, sales: Department, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    campaign, link = survey(alice, account)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign, recommend=6, comments={"recommend": "Too expensive to recommend."}))

    issue = Issue.objects.get()
    assert (issue.department, issue.verbatim) == (sales, "Too expensive to recommend.")


def test_scores_above_the_line_raise_nothing(
    alice: User, sales: Department, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    campaign, link = survey(alice, AccountFactory.create(owner=alice))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign, score=3, recommend=7))

    assert not Issue.objects.exists()


def test_without_a_comment_the_issue_quotes_the_score_and_the_question(
    alice: User, quality: Department, sales: Department, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    campaign, link = survey(alice, AccountFactory.create(owner=alice))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign) | _delivery(campaign, 2))

    assert Issue.objects.get().verbatim == (
        "Answered 2 (of 1 to 5) to “How satisfied are you with our deliveries? "
        "(1 = very dissatisfied, 5 = very satisfied)”, with no comment."
    )


def test_the_department_an_admin_names_for_a_dimension_gets_its_issues(
    alice: User, quality: Department, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    logistics = DepartmentFactory.create(name="Logistics", slug="logistics")
    DimensionOwner.objects.create(dimension="delivery", department=logistics)
    campaign, link = survey(alice, AccountFactory.create(owner=alice))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign) | _delivery(campaign, 1))

    assert Issue.objects.get().department == logistics


def test_the_account_manager_sees_the_answers_on_the_account_timeline(
    alice: User, sales: Department, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    campaign, link = survey(alice, account)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign, comments={"billing": "Invoices are finally right."}))
    client.force_login(alice)

    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()

    assert "Ann Anders answered “Annual 2026” · would recommend 9/10" in page
    assert "Billing: 4/5 — “Invoices are finally right.”" in page


def test_a_confidential_accounts_answers_reach_only_those_who_may_open_it(
    alice: User, bob: User, erin: User, sales: Department, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create(owner=alice, is_confidential=True)
    teammate = UserFactory.create(role=Role.STAFF)
    AccountTeamMember.objects.create(account=account, user=teammate)
    campaign, link = survey(alice, account)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign))
    response = SurveyResponse.objects.get()

    def sees(person: User) -> bool:
        entries = timeline.account_timeline(account=account, user=person, only={"survey"})
        listed = SurveyResponse.objects.visible_to(person).exists() and SurveyAnswer.objects.visible_to(person).exists()
        client.force_login(person)
        opened = client.get(reverse("surveys:response", args=[response.pk])).status_code == 200
        assert bool(entries) == listed == opened
        return opened

    assert [sees(p) for p in (alice, teammate, erin, bob)] == [True, True, True, False]


def test_a_confidential_accounts_recipients_are_hidden_on_the_campaign_page(
    alice: User, bob: User, client: Client
) -> None:
    account = AccountFactory.create(owner=alice, is_confidential=True, name="Hidden Holdings")
    campaign, _ = survey(alice, account)
    client.force_login(bob)

    page = client.get(reverse("surveys:detail", args=[campaign.pk])).content.decode()

    assert "Hidden Holdings" not in page and "Ann Anders" not in page


def test_a_plan_confirmed_resolved_sends_its_pulse_after_the_configured_delay(
    alice: User, engineering: Department, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SURVEY_PULSE_DELAY_HOURS = 24
    seeded_templates()
    account = AccountFactory.create(owner=alice)
    spoke = ContactFactory.create(account=account, email="spoke@customer.example")
    ContactFactory.create(account=account, email="other@customer.example", influence=5)
    log = ContactLogFactory.create(account=account, author=alice)
    log.their_participants.add(spoke)
    plan = ActionPlanFactory.create(account=account, owner=alice, department=engineering, resolution="Fixed.")
    plan.issues.set([IssueFactory.create(contact_log=log, department=engineering)])
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        plan_services.change_status(plan=plan, status=PlanStatus.CONFIRMED, by=alice, now=now, confirmation="Yes.")
        plan_services.change_status(plan=plan, status=PlanStatus.CONFIRMED, by=alice, now=now, confirmation="Yes.")

    pulse = SurveyCampaign.objects.get(plan=plan)
    assert pulse.kind == "pulse" and list(pulse.invitations.values_list("email", flat=True)) == [
        "spoke@customer.example"
    ]
    assert services.send_invitations(campaign_id=pulse.pk, now=timezone.now()) == 0  # not before the delay
    assert pulse.send_after is not None and pulse.send_after >= now + timedelta(hours=24)
    assert services.send_invitations(campaign_id=pulse.pk, now=pulse.send_after) == 1


def _delivery(campaign: SurveyCampaign, score: int) -> dict[str, str]:
    question = campaign.version.questions.get(dimension="delivery")
    return {f"q{question.pk}": str(score)}


@pytest.mark.parametrize("confidential", [False, True])
def test_a_detractors_issue_is_pushed_only_to_those_who_may_open_its_account(
    confidential: bool, alice: User, quality: Department, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    on_team = UserFactory.create(department=quality, email="on-team@example.com")
    UserFactory.create(department=quality, email="off-team@example.com")
    api_client, _ = ApiClientFactory.create(department=quality)
    webhooks.create_subscription(
        api_client=api_client, url="https://hooks.example.com/in", events=["issue.raised", "survey.detractor"]
    )
    account = AccountFactory.create(owner=alice, is_confidential=confidential)
    AccountTeamMember.objects.create(account=account, user=on_team)
    campaign, link = survey(alice, account)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, form_data(campaign, comments={"delivery": CRUSHED}) | _delivery(campaign, 1))

    told = set(Notification.objects.filter(kind="issue.routed").values_list("user__email", flat=True))
    events = set(WebhookDelivery.objects.values_list("event", flat=True))
    assert told == ({"on-team@example.com"} if confidential else {"on-team@example.com", "off-team@example.com"})
    assert events == (set() if confidential else {"issue.raised", "survey.detractor"})
    assert Notification.objects.filter(user=alice, kind="survey.detractor").exists()
