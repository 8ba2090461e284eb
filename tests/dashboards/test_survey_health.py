"""Satisfied but at risk: conversation ratings are not enough, the latest survey answer's advocacy counts too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Account, Tier
from dashboards.services import _Facts, assess, recompute_health
from feedback.models import Topic
from tests.factories import AccountFactory, ContactLogFactory
from tests.surveys.answered import answer

NOW = timezone.now()
HAPPY: dict[str, Any] = {"tier": Tier.CORE, "last_contact_at": NOW - timedelta(days=5), "rating_average": 4.5}


@pytest.mark.parametrize(
    ("recommend", "choose_again", "at_risk"),
    [(None, None, False), (9, True, False), (7, True, False), (6, True, True), (10, False, True), (0, None, True)],
)
def test_a_satisfied_account_whose_latest_survey_would_not_recommend_or_choose_us_is_at_risk(
    recommend: int | None, choose_again: bool | None, at_risk: bool
) -> None:
    facts = _Facts(**HAPPY, survey_recommend=recommend, survey_choose_again=choose_again)
    assert assess(facts, cadence_days=90, now=NOW).at_risk is at_risk


def test_an_unhappy_account_is_not_satisfied_but_at_risk_whatever_the_survey_says() -> None:
    facts = _Facts(**{**HAPPY, "rating_average": 2.0}, survey_recommend=0)
    assert not assess(facts, cadence_days=90, now=NOW).at_risk


@pytest.mark.django_db
def test_the_health_run_reads_the_latest_survey_answer_of_each_account() -> None:
    account = AccountFactory.create()
    Account.objects.filter(pk=account.pk).update(tier=Tier.CORE)
    ContactLogFactory.create(account=account, occurred_at=timezone.now() - timedelta(days=3), rating=5)
    answer(account, year=2025, scores={Topic.QUALITY: 5}, recommend=10, choose_again=True)
    answer(
        account,
        year=2026,
        scores={Topic.QUALITY: 4},
        recommend=4,
        choose_again=True,
        submitted_at=NOW - timedelta(days=1),
    )

    recompute_health(account_ids=[account.pk])
    account.refresh_from_db()
    assert account.health_at_risk  # rated 5 in conversation, but would not recommend us in the survey

    answer(account, year=2026, recommend=9, choose_again=True, submitted_at=NOW - timedelta(hours=1))
    recompute_health(account_ids=[account.pk])
    account.refresh_from_db()
    assert not account.health_at_risk
