"""What action plans add to an account's timeline: plans (by creation) and escalations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import Account
from accounts.timeline import TimelineEntry, register
from actionplans.models import ActionPlan, Escalation


@register("plan", "Plans")
def plans(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    rows = ActionPlan.objects.visible_to(user).filter(account=account).select_related("owner", "department")
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    return [
        TimelineEntry(
            at=p.created_at,
            kind="plan",
            title=f"Plan: {p.title} · {p.get_status_display()}",
            body=p.resolution or (f"Promised for {p.promise_on:%d %b %Y}" if p.promise_on else ""),
            url=f"/plans/{p.pk}/",
            detail=f"{p.owner.full_name}, {p.department.name}",
        )
        for p in rows.order_by("-created_at")[:limit]
    ]


@register("escalation", "Escalations")
def escalations(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    visible = ActionPlan.objects.visible_to(user).filter(account=account).values("pk")
    rows = Escalation.objects.filter(plan__in=visible).select_related("plan")
    if before is not None:
        rows = rows.filter(escalated_at__lt=before)
    return [
        TimelineEntry(
            at=e.escalated_at,
            kind="escalation",
            title=f"Escalated to level {e.level}: {e.plan.title if e.plan else ''}",
            body=e.get_target_display() + (" · acknowledged" if e.acknowledged_at else ""),
            url=f"/plans/{e.plan_id}/",
        )
        for e in rows[:limit]
    ]
