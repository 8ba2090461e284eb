"""What reviews add to an account's timeline: each joint review, at its meeting's time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from accounts.models import Account
from accounts.timeline import TimelineEntry, register
from reviews.models import AccountReview


@register("review", "Reviews")
def reviews(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    rows = AccountReview.objects.visible_to(user).filter(account=account).select_related("created_by")
    if before is not None:
        rows = rows.filter(scheduled_for__lt=before)
    entries = []
    for r in rows.order_by("-scheduled_for")[:limit]:
        entries.append(
            TimelineEntry(
                at=r.scheduled_for,
                kind="review",
                title=f"Joint review · {r.get_state_display()}",
                url=reverse("reviews:detail", args=[r.pk]),
                detail=f"scheduled by {r.created_by.full_name}",
            )
        )
        if r.summary_sent_at is not None and (before is None or r.summary_sent_at < before):
            entries.append(
                TimelineEntry(
                    at=r.summary_sent_at,
                    kind="review",
                    title="Review summary sent to the customer (decisions and promise dates)",
                    url=reverse("reviews:detail", args=[r.pk]),
                )
            )
    return entries
