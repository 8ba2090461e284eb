"""What a finished survey answer tells the rest of the system: internal systems (webhooks), the year-over-year
proposals and the dashboards (a signal they listen to).

The submit service calls `responded(response)` once the response is submitted, inside its transaction, and
`detractor(answer)` for each answer that is a detractor's (a dimension scored 1–2, or "how likely to recommend"
0–6). Webhooks follow the outbox rule (organization.webhooks): written in the caller's transaction, sent after its
commit, never about a confidential account (accounts.policies.systems_may_learn_of). Each event's id is derived
from the row it reports on, so a submit retried, or these functions called twice, sends each event once.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts import policies as account_policies
from organization.webhooks import services as webhooks
from surveys.models import QuestionKind, SurveyAnswer, SurveyKind, SurveyResponse

# Sent on commit with `account_ids`: answers of these accounts were submitted (dashboards refresh the survey
# KPIs and the accounts' health, whose "satisfied but at risk" flag reads the latest answers).
responses_changed = Signal()

_NAMESPACE = uuid.UUID("6d1f7a52-2f7e-4b55-9a2e-5b0c1f0e7a16")
DETRACTOR_SCORE = 2  # a dimension scored this or lower
DETRACTOR_RECOMMEND = 6  # "how likely to recommend" this or lower (NPS's detractors)


def is_detractor(answer: SurveyAnswer) -> bool:
    """A dimension scored 1–2, or a recommend score 0–6: the answers that raise an issue and a webhook."""
    if answer.score is None:
        return False
    if answer.question.kind == QuestionKind.SCORE:
        return answer.score <= DETRACTOR_SCORE
    if answer.question.kind == QuestionKind.RECOMMEND:
        return answer.score <= DETRACTOR_RECOMMEND
    return False


def event_id(event: str, pk: int) -> uuid.UUID:
    """The same id for the same event about the same row: a repeated emit is a no-op (organization.webhooks)."""
    return uuid.uuid5(_NAMESPACE, f"{event}:{pk}")


def responded(response: SurveyResponse) -> None:
    """A contact finished a survey: tell subscribed systems, propose plans for the dimensions that declined
    (annual surveys), and tell the dashboards after the commit. Call it inside the submit's transaction."""
    from surveys import proposals  # proposals reads answers this module's callers write: imported when used

    now = response.submitted_at or timezone.now()
    account = response.account
    if account_policies.systems_may_learn_of(account=account):
        webhooks.emit(
            event="survey.responded",
            payload={"response": response_payload(response)},
            now=now,
            event_id=event_id("survey.responded", response.pk),
        )
    if response.campaign.kind == SurveyKind.ANNUAL:
        proposals.propose_plans(account_ids=[response.account_id], now=now)
    account_ids = [response.account_id]
    transaction.on_commit(lambda: _changed(account_ids))


def _changed(account_ids: list[int]) -> None:
    from surveys import yearly

    yearly.forget_segments()
    responses_changed.send(sender=SurveyResponse, account_ids=account_ids)


def detractor(answer: SurveyAnswer) -> None:
    """An answer below the line (is_detractor): tell subscribed systems, in the customer's own words."""
    response = answer.response
    if not account_policies.systems_may_learn_of(account=response.account):
        return
    webhooks.emit(
        event="survey.detractor",
        payload={"answer": answer_payload(answer)},
        now=response.submitted_at or timezone.now(),
        event_id=event_id("survey.detractor", answer.pk),
    )


def response_payload(response: SurveyResponse) -> dict[str, Any]:
    return {
        "id": response.pk,
        "campaign": response.campaign_id,
        "kind": response.campaign.kind,
        "account": response.account_id,
        "contact": response.contact_id,
        "recommend": response.recommend,
        "choose_again": response.choose_again,
        "submitted_at": response.submitted_at,
    }


def answer_payload(answer: SurveyAnswer) -> dict[str, Any]:
    response = answer.response
    return {
        "id": answer.pk,
        "response": response.pk,
        "campaign": response.campaign_id,
        "account": response.account_id,
        "question": answer.question.wording,
        "kind": answer.question.kind,
        "dimension": answer.dimension or None,
        "score": answer.score,
        "verbatim": answer.comment or answer.text,
        "issue": answer.issue_id,
        "submitted_at": response.submitted_at,
    }
