"""Who may see and run joint account reviews. A review is the account's: whoever may open the account opens its
reviews (accounts.policies decides, confidential accounts included); those who may edit the account, and
executives, schedule and run them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts import policies as account_policies
from accounts.models import Account
from organization.models import User
from reviews.models import AccountReview


def can_open_review(*, person: Any, review: AccountReview) -> bool:
    return account_policies.can_open_account(person=person, account=review.account)


def can_schedule_review(*, person: Any, account: Account) -> bool:
    """The owner, team members who may edit, admins, and executives (who sponsor the joint reviews); people
    only: a review has attendees and minutes, which no system keeps."""
    if getattr(person, "pk", None) is None or not account_policies.can_open_account(person=person, account=account):
        return False
    return bool(getattr(person, "is_executive", False)) or account_policies.can_edit_account(
        person=person, account=account
    )


def can_run_review(*, person: Any, review: AccountReview) -> bool:
    """Start it (freezing the pack) and record its minutes: as for scheduling it."""
    return can_schedule_review(person=person, account=review.account)


def attendees_to_tell(*, review: AccountReview, candidates: Iterable[User]) -> list[User]:
    """Whom a review's notice may reach: the active attendees who may open its account (a confidential account's
    team), never anyone else, as every push (docs/security.md)."""
    active = [person for person in candidates if person.is_active]
    return account_policies.recipients_who_may_open(account=review.account, candidates=active)
