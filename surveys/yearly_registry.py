"""What the year-over-year work adds to lower apps' pages (accounts.actions, accounts.timeline): the account's
"Year over year" button, and its proposed plans on its timeline, only for those who may open the account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from accounts import actions as account_actions
from accounts.models import Account
from accounts.timeline import TimelineEntry, register
from surveys import yearly


@account_actions.header.register("surveys.year_over_year")
def year_over_year(account: Account, person: Any) -> list[Any]:
    from kernel.actions import Action

    return [Action(label="Year over year", url=f"{reverse('yoy:page')}?account={account.pk}")]


@register("survey_proposal", "Proposed plans")
def proposed_plans(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    rows = yearly.proposals_for_user(user=user, account=account)
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    url = f"{reverse('yoy:page')}?account={account.pk}"
    return [
        TimelineEntry(
            at=p.created_at,
            kind="survey_proposal",
            title=(
                f"Proposed plan: {p.get_dimension_display()} fell from {p.previous_score:.1f} to"
                f" {p.current_score:.1f} · {p.get_state_display()}"
            ),
            body=p.dismiss_reason,
            url=url,
            detail=f"{p.suggested_owner.full_name}, {p.department.name}, promise by {p.suggested_promise_on:%d %b %Y}",
        )
        for p in rows.order_by("-created_at", "-id")[:limit]
    ]
