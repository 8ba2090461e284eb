"""Webhooks for survey answers: `survey.responded` when a contact submits, `survey.detractor` for each answer below
the line (a dimension scored 1–2, recommend 0–6), once each, never about a confidential account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from feedback.models import Topic
from organization.models import WebhookDelivery
from organization.webhooks import services as webhooks
from surveys import services
from surveys.models import DeclineProposal, QuestionKind, SurveyInvitation
from tests.factories import AccountFactory, ApiClientFactory, DepartmentFactory
from tests.surveys.answered import answer, campaign, invite

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def subscribed(engineering: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # nothing is sent there in these tests
    DepartmentFactory.create(name="Quality", slug="quality")
    DepartmentFactory.create(name="Sales", slug="sales")
    client, _ = ApiClientFactory.create(department=engineering, can_write=True)
    webhooks.create_subscription(
        api_client=client, url="http://127.0.0.1:9/hook", events=["survey.responded", "survey.detractor"]
    )


def submit(invitation: SurveyInvitation, *, delivery: int, recommend: int, comment: str = "") -> None:
    """The contact answers every required question: 4s, but `delivery` for delivery, and submits."""
    answers: dict[int, services.AnswerInput] = {}
    for question in invitation.campaign.version.questions.all():
        if question.kind == QuestionKind.SCORE:
            score = delivery if question.dimension == Topic.DELIVERY else 4
            words = comment if question.dimension == Topic.DELIVERY else ""
            answers[question.pk] = services.AnswerInput(score=score, comment=words)
        elif question.kind == QuestionKind.RECOMMEND:
            answers[question.pk] = services.AnswerInput(score=recommend)
        elif question.kind == QuestionKind.CHOOSE_AGAIN:
            answers[question.pk] = services.AnswerInput(score=1)
    services.save_answers(invitation=invitation, answers=answers, submit=True, now=timezone.now())


def open_campaign() -> Any:
    """This year's annual campaign, still open (answerable for another month)."""
    survey = campaign(year=timezone.localdate().year)
    survey.expires_at = timezone.now() + timedelta(days=30)
    survey.save(update_fields=["expires_at"])
    return survey


def sent(event: str) -> list[dict[str, Any]]:
    return list(WebhookDelivery.objects.filter(event=event).order_by("id").values_list("payload", flat=True))


def test_a_submitted_survey_tells_subscribers_once_with_the_detractors_words(
    subscribed: None, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create()
    invitation = invite(account, open_campaign())

    with django_capture_on_commit_callbacks(execute=True):
        submit(invitation, delivery=1, recommend=5, comment="Three late trucks in a row.")
    with django_capture_on_commit_callbacks(execute=True):
        services.raise_issues_for_response(response_id=invitation.response.pk, now=timezone.now())  # a retry

    (responded,) = sent("survey.responded")
    assert responded["response"]["account"] == account.pk and responded["response"]["recommend"] == 5
    detractors = sent("survey.detractor")
    assert sorted(d["answer"]["kind"] for d in detractors) == ["recommend", "score"]
    delivery = next(d["answer"] for d in detractors if d["answer"]["kind"] == "score")
    assert (delivery["dimension"], delivery["score"]) == ("delivery", 1)
    assert delivery["verbatim"] == "Three late trucks in a row." and delivery["issue"] is not None


def test_a_promoter_with_good_scores_sends_no_detractor_event(
    subscribed: None, django_capture_on_commit_callbacks: Any
) -> None:
    invitation = invite(AccountFactory.create(), open_campaign())

    with django_capture_on_commit_callbacks(execute=True):
        submit(invitation, delivery=5, recommend=10)

    assert len(sent("survey.responded")) == 1 and sent("survey.detractor") == []


def test_a_confidential_accounts_answers_are_never_sent(
    subscribed: None, django_capture_on_commit_callbacks: Any
) -> None:
    invitation = invite(AccountFactory.create(is_confidential=True), open_campaign())

    with django_capture_on_commit_callbacks(execute=True):
        submit(invitation, delivery=1, recommend=0, comment="Terrible.")

    assert not WebhookDelivery.objects.exists()
    assert invitation.account.issues.count() == 2  # the answers still became work, inside the company


def test_submitting_this_years_survey_proposes_plans_for_declines(
    subscribed: None, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    answer(account, year=timezone.localdate().year - 1, scores={Topic.DELIVERY: 5, Topic.QUALITY: 4})
    invitation = invite(account, open_campaign())

    with django_capture_on_commit_callbacks(execute=True):
        submit(invitation, delivery=3, recommend=8)

    (proposal,) = DeclineProposal.objects.all()
    assert (proposal.dimension, float(proposal.previous_score), float(proposal.current_score)) == ("delivery", 5, 3)
