"""What the account page offers from reviews (kernel.actions): "Schedule a review" for those who may."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts import actions as account_actions
from accounts.models import Account
from kernel.actions import Action
from reviews import policies


@account_actions.header.register("reviews.schedule")
def schedule_review(account: Account, person: Any) -> list[Action]:
    if not policies.can_schedule_review(person=person, account=account):
        return []
    return [Action(label="Schedule a review", url=reverse("reviews:create", args=[account.pk]))]
