"""Shared steps of the survey tests (part A): the seeded templates, and a form filled in as a contact would."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps

from surveys import selectors
from surveys.models import QuestionKind, SurveyCampaign, SurveyTemplate


def seeded_templates() -> None:
    """The two templates the data migration writes (a transactional test's flush removes them)."""
    migration = importlib.import_module("surveys.migrations.0002_default_templates")
    migration.create_default_templates(apps, None)


def annual() -> SurveyTemplate:
    seeded_templates()
    return SurveyTemplate.objects.get(slug="annual-perception")


def form_data(
    campaign: SurveyCampaign,
    *,
    score: int = 4,
    recommend: int = 9,
    comments: dict[str, str] | None = None,
    only: int | None = None,
    action: str = "submit",
) -> dict[str, Any]:
    """Every question answered (or the first `only`): `score` per dimension, with `comments` by dimension."""
    data: dict[str, Any] = {"action": action}
    for index, question in enumerate(selectors.questions(version_id=campaign.version_id)):
        if only is not None and index >= only:
            break
        key = f"q{question.pk}"
        if question.kind == QuestionKind.SCORE:
            data[key] = str(score)
            if comments and question.dimension in comments:
                data[f"{key}_comment"] = comments[question.dimension]
        elif question.kind == QuestionKind.RECOMMEND:
            data[key] = str(recommend)
            if comments and "recommend" in comments:
                data[f"{key}_comment"] = comments["recommend"]
        elif question.kind in {QuestionKind.CHOOSE_AGAIN, QuestionKind.YES_NO}:
            data[key] = "1"
        else:
            data[key] = f"Our answer to: {question.wording}"
    return data
