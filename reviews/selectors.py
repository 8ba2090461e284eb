"""Every read of account reviews, scoped first: what is due, on what cadence, and what was reviewed on time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Max, Min, Q
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import Account, AccountStatus
from reviews.models import OPEN_STATES, AccountReview, ReviewDecision, ReviewState

# Accounts that are not (or no longer) customers are due no joint review.
NOT_REVIEWED = (AccountStatus.LOST, AccountStatus.PROSPECT)


def review_due_on(*, tier: int, last_reviewed_at: datetime | None, created_at: datetime) -> date | None:
    """When an account of `tier` is next due a joint review: its tier's cadence after the last completed review
    (or after it became an account, never reviewed); None for a tier with no review cadence."""
    months = account_selectors.review_months().get(tier)
    if months is None:
        return None
    return account_selectors.add_months(timezone.localdate(last_reviewed_at or created_at), months)


@dataclass(frozen=True)
class ReviewDue:
    account: Account
    due_on: date
    last_reviewed_on: date | None
    scheduled_for: datetime | None  # an open review's meeting, if one is scheduled already

    def is_overdue(self, today: date) -> bool:
        return self.due_on < today


def _with_review_dates(accounts: Any) -> Any:
    return accounts.annotate(
        last_reviewed_at=Max("reviews__completed_at", filter=Q(reviews__state=ReviewState.COMPLETED)),
        open_review_at=Min("reviews__scheduled_for", filter=Q(reviews__state__in=OPEN_STATES)),
    )


def _reviewable(user: Any) -> Any:
    tiers = list(account_selectors.review_months())
    return Account.objects.visible_to(user).filter(tier__in=tiers).exclude(status__in=NOT_REVIEWED)


def reviews_due(*, user: Any, today: date, within_days: int = 30) -> list[ReviewDue]:
    """The accounts `user` owns or sponsors that are due a joint review within `within_days` (or overdue), the
    earliest due first: one query (the tier rules come from the cache)."""
    accounts = _with_review_dates(_reviewable(user).filter(Q(owner_id=user.pk) | Q(executive_sponsor_id=user.pk))).only(
        "id", "name", "tier", "created_at", "is_confidential", "owner_id"
    )
    due: list[ReviewDue] = []
    for account in accounts:
        due_on = review_due_on(
            tier=account.tier, last_reviewed_at=account.last_reviewed_at, created_at=account.created_at
        )
        if due_on is None or (due_on - today).days > within_days:
            continue
        last = account.last_reviewed_at
        due.append(
            ReviewDue(
                account=account,
                due_on=due_on,
                last_reviewed_on=timezone.localdate(last) if last else None,
                scheduled_for=account.open_review_at,
            )
        )
    due.sort(key=lambda d: (d.due_on, d.account.name))
    return due


@dataclass(frozen=True)
class ReviewedOnTime:
    """KPI "accounts reviewed on time": of the accounts due joint reviews, those not past their due date."""

    on_time: int
    total: int

    @property
    def share(self) -> float | None:
        return self.on_time / self.total if self.total else None


def reviewed_on_time(*, user: Any, today: date) -> ReviewedOnTime:
    """Over the Strategic and Key (review-cadence) customers `user` may see: one query."""
    rows = _with_review_dates(_reviewable(user)).values_list("tier", "last_reviewed_at", "created_at")
    on_time = total = 0
    for tier, last_reviewed_at, created_at in rows:
        due_on = review_due_on(tier=tier, last_reviewed_at=last_reviewed_at, created_at=created_at)
        if due_on is None:
            continue
        total += 1
        on_time += due_on >= today
    return ReviewedOnTime(on_time=on_time, total=total)


def review_for_user(*, user: Any, pk: int) -> AccountReview:
    """One review of an account the user may open; AccountReview.DoesNotExist otherwise (a 404)."""
    return (
        AccountReview.objects.visible_to(user)
        .select_related("account__owner", "created_by")
        .prefetch_related("internal_attendees__department", "customer_attendees")
        .get(pk=pk)
    )


def reviews_of_account(*, account: Account, user: Any, limit: int = 20) -> list[AccountReview]:
    return list(AccountReview.objects.visible_to(user).filter(account=account).order_by("-scheduled_for")[:limit])


def decisions_of(*, review: AccountReview, user: Any) -> list[ReviewDecision]:
    return list(
        ReviewDecision.objects.visible_to(user)
        .filter(review=review)
        .select_related("owner", "department", "plan")
        .order_by("id")
    )
