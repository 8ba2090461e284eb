"""Submitted survey answers for part B's tests (year over year, KPIs, the API, webhooks): written directly, as a
contact's submit leaves them, without going through the public page (tests of the page do that)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Account
from surveys.models import (
    QuestionKind,
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    SurveyTemplate,
    SurveyVersion,
)
from tests.factories import ContactFactory


def campaign(*, year: int, kind: str = SurveyKind.ANNUAL, name: str = "") -> SurveyCampaign:
    """The campaign of that year and kind (one per pair), started on 1 March of the year."""
    slug = "annual-perception" if kind == SurveyKind.ANNUAL else "pulse"
    version = SurveyVersion.objects.filter(template=SurveyTemplate.objects.get(slug=slug)).order_by("-number").first()
    assert version is not None  # the data migration ships both templates
    started = datetime.combine(date(year, 3, 1), time(9), tzinfo=timezone.get_current_timezone())
    found = SurveyCampaign.objects.filter(version=version, created_at=started).first()
    return found or SurveyCampaign.objects.create(
        version=version,
        kind=kind,
        name=name or f"{kind} {year}",
        created_at=started,
        state=SurveyCampaign.State.SENT,
        expires_at=started + timedelta(days=60),
    )


def invite(
    account: Account, survey: SurveyCampaign, *, contact: Any = None, sent_at: datetime | None = None
) -> SurveyInvitation:
    contact = contact or ContactFactory.create(account=account)
    return SurveyInvitation.objects.create(
        campaign=survey,
        account=account,
        contact=contact,
        email=contact.email or "someone@example.com",
        nonce="n" * 16,
        state=SurveyInvitation.State.SENT,
        sent_at=sent_at or survey.created_at,
    )


def answer(
    account: Account,
    *,
    year: int,
    scores: dict[str, int] | None = None,
    recommend: int | None = None,
    choose_again: bool | None = None,
    kind: str = SurveyKind.ANNUAL,
    comments: dict[str, str] | None = None,
    submitted_at: datetime | None = None,
    contact: Any = None,
) -> SurveyResponse:
    """One contact of `account` answered that year's survey: these dimension scores, recommend and choose again."""
    survey = campaign(year=year, kind=kind)
    when = submitted_at or survey.created_at + timedelta(days=3)
    invitation = invite(account, survey, contact=contact, sent_at=when - timedelta(hours=1))
    response = SurveyResponse.objects.create(
        invitation=invitation,
        campaign=survey,
        account=account,
        contact=invitation.contact,
        started_at=when - timedelta(minutes=10),
        updated_at=when,
        submitted_at=when,
        recommend=recommend,
        choose_again=choose_again,
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(state=SurveyInvitation.State.COMPLETED, completed_at=when)
    scores = scores or {}
    rows = []
    for question in survey.version.questions.all():
        value: int | None = None
        if question.kind == QuestionKind.SCORE:
            value = scores.get(question.dimension)
        elif question.kind == QuestionKind.RECOMMEND:
            value = recommend
        elif question.kind == QuestionKind.CHOOSE_AGAIN:
            value = None if choose_again is None else int(choose_again)
        if value is None:
            continue
        rows.append(
            SurveyAnswer(
                response=response,
                question=question,
                dimension=question.dimension,
                score=value,
                comment=(comments or {}).get(question.dimension, ""),
            )
        )
    SurveyAnswer.objects.bulk_create(rows)
    return response
