"""What feedback adds to an account's timeline: conversations, issues and hand-offs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import Account
from accounts.timeline import TimelineEntry, register
from feedback.models import ContactLog, Issue, IssueHandoff


@register("contact", "Conversations")
def contact_logs(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    logs = ContactLog.objects.visible_to(user).filter(account=account).select_related("author")
    if before is not None:
        logs = logs.filter(occurred_at__lt=before)
    return [
        TimelineEntry(
            at=log.occurred_at,
            kind="contact",
            title=f"{log.get_channel_display()} with {log.author.full_name}"
            + (f" · rated {log.rating}/5" if log.rating else ""),
            body=log.summary,
            url=f"/feedback/logs/{log.pk}/",
            detail=", ".join(log.topic_labels()),
        )
        for log in logs[:limit]
    ]


@register("issue", "Issues")
def issues(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    rows = Issue.objects.visible_to(user).filter(account=account).select_related("department")
    if before is not None:
        rows = rows.filter(raised_at__lt=before)
    return [
        TimelineEntry(
            at=issue.raised_at,
            kind="issue",
            title=f"{issue.get_severity_display()} issue for {issue.department.name} · {issue.get_status_display()}",
            body=issue.verbatim,
            url=f"/feedback/issues/{issue.pk}/",
        )
        for issue in rows[:limit]
    ]


@register("handoff", "Hand-offs")
def handoffs(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    visible = Issue.objects.visible_to(user).filter(account=account).values("pk")
    rows = IssueHandoff.objects.filter(issue__in=visible).select_related("from_department", "to_department")
    if before is not None:
        rows = rows.filter(handed_off_at__lt=before)
    return [
        TimelineEntry(
            at=h.handed_off_at,
            kind="handoff",
            title=f"Issue handed off: {h.from_department.name} → {h.to_department.name}"
            + ("" if h.accepted_at else " (awaiting acknowledgement)"),
            body=h.note,
            url=f"/feedback/issues/{h.issue_id}/",
        )
        for h in rows[:limit]
    ]
