"""What surveys adds to an account's timeline: each submitted survey response, its answers in the contact's words.
Only for those who may open the account (the responses' visible_to, the accounts rule)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from accounts.models import Account
from accounts.timeline import TimelineEntry, register
from feedback.models import Topic
from surveys import selectors
from surveys.models import SCORE_RANGE, QuestionKind, SurveyResponse

SHORT_LABELS: dict[str, str] = {
    QuestionKind.RECOMMEND: "Would recommend us",
    QuestionKind.CHOOSE_AGAIN: "Would choose us again",
    QuestionKind.NEEDS: "Needs",
    QuestionKind.WANTS: "Wants",
}


def _line(line: selectors.AnswerLine) -> str:
    """One answer, short: the dimension or what was asked, the score, and their words as written."""
    kind = line.kind
    label = Topic(line.dimension).label if line.dimension else SHORT_LABELS.get(kind, line.wording)
    if line.score is None:
        return f"{label}: “{line.text}”"
    if kind in {QuestionKind.CHOOSE_AGAIN, QuestionKind.YES_NO}:
        value = "yes" if line.score else "no"
    else:
        value = f"{line.score}/{SCORE_RANGE.get(kind, (0, 10))[1]}"
    return f"{label}: {value} — “{line.comment}”" if line.comment else f"{label}: {value}"


@register("survey", "Survey answers")
def survey_responses(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    responses = (
        SurveyResponse.objects.visible_to(user)
        .submitted()
        .filter(account=account)
        .select_related("contact", "campaign")
        .order_by("-submitted_at", "-id")
    )
    if before is not None:
        responses = responses.filter(submitted_at__lt=before)
    rows = list(responses[:limit])
    lines = selectors.answer_lines(response_ids=[r.pk for r in rows])
    entries = []
    for response in rows:
        assert response.submitted_at is not None  # noqa: S101 - submitted() above
        recommend = f" · would recommend {response.recommend}/10" if response.recommend is not None else ""
        entries.append(
            TimelineEntry(
                at=response.submitted_at,
                kind="survey",
                title=f"{response.contact.name} answered “{response.campaign.name}”{recommend}",
                body="\n".join(_line(line) for line in lines.get(response.pk, [])),
                url=reverse("surveys:response", args=[response.pk]),
                detail=response.campaign.get_kind_display(),
            )
        )
    return entries
