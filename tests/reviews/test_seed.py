from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Account, Tier
from reviews.models import AccountReview, ReviewDecision, ReviewState

pytestmark = pytest.mark.django_db


def test_the_demo_gives_strategic_and_key_accounts_teams_and_a_history_of_reviews_with_decisions() -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO(), stderr=StringIO())

    priority = Account.objects.filter(tier__in=[Tier.STRATEGIC, Tier.KEY])
    assert priority.exists()
    assert not priority.filter(team_members=None).exists()
    assert not priority.exclude(reviews__state=ReviewState.COMPLETED).exists()
    assert not AccountReview.objects.exclude(account__in=priority).exists()
    decisions = ReviewDecision.objects.all()
    assert decisions.filter(plan__isnull=False).exists() and decisions.filter(plan__isnull=True).exists()
    linked = decisions.filter(plan__isnull=False).values_list("plan__account_id", "review__account_id")
    assert all(plan_account == review_account for plan_account, review_account in linked)
    completed = AccountReview.objects.filter(state=ReviewState.COMPLETED)
    assert not completed.filter(pack={}).exists()  # every held review has its frozen pack
