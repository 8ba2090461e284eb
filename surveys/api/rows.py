"""Survey API bodies as lean rows (kernel.api.rows): what surveys.api.serializers describe, from `.values()`.

Each list is one query for its page and one for what hangs off the page's rows (questions, answers, counts),
whatever the page size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from kernel.api.rows import datetime_writer
from surveys.models import (
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
)

SURVEY_VALUES = ("id", "kind", "name", "slug", "intro", "thank_you", "created_at", "updated_at")
CAMPAIGN_VALUES = (
    "id",
    "version__template_id",
    "version__number",
    "kind",
    "name",
    "state",
    "plan_id",
    "created_at",
    "send_after",
    "expires_at",
)
RESPONSE_VALUES = (
    "id",
    "campaign_id",
    "campaign__version__template_id",
    "campaign__kind",
    "account_id",
    "account__name",
    "contact_id",
    "submitted_at",
    "recommend",
    "choose_again",
)
_ANSWER_VALUES = (
    "response_id",
    "id",
    "question_id",
    "question__position",
    "question__kind",
    "dimension",
    "score",
    "text",
    "comment",
    "issue_id",
)
_QUESTION_VALUES = ("version_id", "id", "position", "kind", "dimension", "wording", "allows_comment", "required")


def survey_values(queryset: QuerySet[SurveyTemplate]) -> QuerySet[SurveyTemplate, dict[str, Any]]:
    rows: QuerySet[SurveyTemplate, dict[str, Any]] = queryset.values(*SURVEY_VALUES)
    return rows


def survey_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each survey with its current (highest-numbered) version's questions: one query for both."""
    moment = datetime_writer()
    ids = [row["id"] for row in rows]
    questions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    numbers: dict[int, int] = {}
    if ids:
        latest = SurveyTemplate.objects.filter(pk__in=ids).annotate(latest=Max("versions__number"))
        wanted = Q(pk__in=[])
        for template_id, number in latest.values_list("pk", "latest"):
            if number is not None:
                numbers[template_id] = number
                wanted |= Q(version__template_id=template_id, version__number=number)
        for question in (
            SurveyQuestion.objects.filter(wanted)
            .order_by("position", "id")
            .values("version__template_id", *_QUESTION_VALUES)
        ):
            questions[question["version__template_id"]].append(
                {
                    "id": question["id"],
                    "position": question["position"],
                    "kind": question["kind"],
                    "dimension": question["dimension"] or None,
                    "wording": question["wording"],
                    "allows_comment": question["allows_comment"],
                    "required": question["required"],
                }
            )
    return [
        {
            "id": row["id"],
            "kind": row["kind"],
            "name": row["name"],
            "slug": row["slug"],
            "intro": row["intro"],
            "thank_you": row["thank_you"],
            "version": numbers.get(row["id"]),
            "questions": questions[row["id"]],
            "created_at": moment(row["created_at"]),
            "updated_at": moment(row["updated_at"]),
        }
        for row in rows
    ]


def campaign_values(queryset: QuerySet[SurveyCampaign]) -> QuerySet[SurveyCampaign, dict[str, Any]]:
    rows: QuerySet[SurveyCampaign, dict[str, Any]] = queryset.values(*CAMPAIGN_VALUES)
    return rows


def campaign_rows(rows: Sequence[dict[str, Any]], *, user: Any) -> list[dict[str, Any]]:
    """Each campaign with its invitations and responses counted over the accounts `user` may see: one query."""
    moment = datetime_writer()
    ids = [row["id"] for row in rows]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        for campaign_id, invited, answered in (
            SurveyInvitation.objects.visible_to(user)
            .filter(campaign_id__in=ids)
            .order_by()
            .values_list("campaign_id")
            .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(response__submitted_at__isnull=False)))
        ):
            counts[campaign_id] = (invited, answered)
    return [
        {
            "id": row["id"],
            "survey": row["version__template_id"],
            "version": row["version__number"],
            "kind": row["kind"],
            "name": row["name"],
            "state": row["state"],
            "plan": row["plan_id"],
            "created_at": moment(row["created_at"]),
            "send_after": moment(row["send_after"]),
            "expires_at": moment(row["expires_at"]),
            "invitations": counts.get(row["id"], (0, 0))[0],
            "responses": counts.get(row["id"], (0, 0))[1],
        }
        for row in rows
    ]


def response_values(queryset: QuerySet[SurveyResponse]) -> QuerySet[SurveyResponse, dict[str, Any]]:
    rows: QuerySet[SurveyResponse, dict[str, Any]] = queryset.values(*RESPONSE_VALUES)
    return rows


def response_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each response with its answers, in the questions' order: one query for the answers of the whole page."""
    moment = datetime_writer()
    ids = [row["id"] for row in rows]
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for answer in (
            SurveyAnswer.objects.filter(response_id__in=ids)
            .order_by("question__position", "id")
            .values(*_ANSWER_VALUES)
        ):
            answers[answer["response_id"]].append(
                {
                    "id": answer["id"],
                    "question": answer["question_id"],
                    "position": answer["question__position"],
                    "kind": answer["question__kind"],
                    "dimension": answer["dimension"] or None,
                    "score": answer["score"],
                    "text": answer["text"],
                    "comment": answer["comment"],
                    "issue": answer["issue_id"],
                }
            )
    return [
        {
            "id": row["id"],
            "campaign": row["campaign_id"],
            "survey": row["campaign__version__template_id"],
            "kind": row["campaign__kind"],
            "account": row["account_id"],
            "account_name": row["account__name"],
            "contact": row["contact_id"],
            "submitted_at": moment(row["submitted_at"]),
            "recommend": row["recommend"],
            "choose_again": row["choose_again"],
            "answers": answers[row["id"]],
        }
        for row in rows
    ]
