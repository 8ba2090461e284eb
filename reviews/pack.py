"""The review pack: everything about an account since its last review, as JSON, read through each app's
`visible_to(viewer)` (never a rule of our own). A scheduled review shows it live; starting the review freezes it
in AccountReview.pack, so everyone discusses the same figures.

A fixed number of queries, whatever the account's history: each list is capped (its count is not).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q

from accounts import summary
from accounts.models import Account, AccountHealthMonth
from actionplans import selectors as plan_selectors
from actionplans.models import ActionPlan, Escalation, PlanStatus, promise_broken
from feedback.models import ContactLog, Issue, IssueStatus
from reviews.models import ReviewDecision, ReviewState

LIST_LIMIT = 50
CLOSED_ISSUES = (IssueStatus.RESOLVED, IssueStatus.CLOSED)
ACTIVE_PLANS = (PlanStatus.OPEN, PlanStatus.IN_PROGRESS, PlanStatus.WAITING)


def _after(field: str, since: datetime | None) -> Q:
    return Q(**{f"{field}__gte": since}) if since is not None else Q(**{f"{field}__isnull": False})


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def build_pack(*, account: Account, viewer: Any, since: datetime | None, until: datetime) -> dict[str, Any]:
    """The agenda's figures for [since, until) (since None: the account's whole history), as `viewer` may see."""
    logs = ContactLog.objects.visible_to(viewer).filter(account=account, occurred_at__lt=until)
    logs = logs.filter(occurred_at__gte=since) if since is not None else logs
    log_figures = logs.aggregate(count=Count("id"), rated=Count("rating"), average=Avg("rating"))
    conversations = [
        {
            "at": _iso(log.occurred_at),
            "author": log.author.full_name,
            "channel": log.get_channel_display(),
            "summary": log.summary,
            "rating": log.rating,
        }
        for log in logs.select_related("author").order_by("-occurred_at", "-id")[:LIST_LIMIT]
    ]

    issues = (
        Issue.objects.visible_to(viewer)
        .filter(account=account, raised_at__lt=until)
        .filter(_after("raised_at", since) | _after("resolved_at", since) | ~Q(status__in=CLOSED_ISSUES))
        .select_related("department")
        .order_by("-raised_at", "-id")
    )
    by_department: dict[str, dict[str, int]] = defaultdict(lambda: {"opened": 0, "resolved": 0, "open": 0})
    issue_rows: list[dict[str, Any]] = []
    for issue in issues:
        row = by_department[issue.department.name]
        row["opened"] += since is None or issue.raised_at >= since
        row["resolved"] += issue.resolved_at is not None and (since is None or issue.resolved_at >= since)
        row["open"] += issue.status not in CLOSED_ISSUES
        if len(issue_rows) < LIST_LIMIT:
            issue_rows.append(
                {
                    "id": issue.pk,
                    "department": issue.department.name,
                    "status": issue.get_status_display(),
                    "raised_at": _iso(issue.raised_at),
                    "resolved_at": _iso(issue.resolved_at),
                    "verbatim": issue.verbatim,
                }
            )

    calendar = plan_selectors.business_calendar()
    plans = (
        ActionPlan.objects.visible_to(viewer)
        .filter(account=account, created_at__lt=until)
        .filter(_after("created_at", since) | _after("resolved_at", since) | Q(status__in=ACTIVE_PLANS))
        .select_related("owner", "department")
        .order_by("due_on", "id")
    )
    plan_rows: list[dict[str, Any]] = []
    broken = 0
    for plan in plans:
        is_broken = promise_broken(plan, calendar, now=until)
        broken += is_broken
        if len(plan_rows) < LIST_LIMIT:
            plan_rows.append(
                {
                    "id": plan.pk,
                    "title": plan.title,
                    "owner": plan.owner.full_name,
                    "department": plan.department.name,
                    "status": plan.get_status_display(),
                    "promise_on": _iso(plan.promise_on),
                    "promise_broken": is_broken,
                }
            )

    visible_plans = ActionPlan.objects.visible_to(viewer).filter(account=account).values("pk")
    visible_issues = Issue.objects.visible_to(viewer).filter(account=account).values("pk")
    escalations = (
        Escalation.objects.filter(Q(plan__in=visible_plans) | Q(issue__in=visible_issues), escalated_at__lt=until)
        .filter(_after("escalated_at", since))
        .select_related("plan", "issue")
        .order_by("-escalated_at", "-id")
    )
    escalation_rows = [
        {
            "at": _iso(e.escalated_at),
            "level": e.level,
            "about": e.plan.title if e.plan is not None else (e.issue.verbatim[:120] if e.issue else ""),
            "acknowledged": e.acknowledged_at is not None,
        }
        for e in escalations[:LIST_LIMIT]
    ]

    decisions: list[dict[str, Any]] = []
    if since is not None:  # the last review's decisions, with where their plans stand now
        decided = (
            ReviewDecision.objects.visible_to(viewer)
            .filter(review__account=account, review__state=ReviewState.COMPLETED, review__completed_at=since)
            .select_related("owner", "department", "plan")
            .order_by("id")
        )
        for decision in decided:
            decided_plan = decision.plan
            decisions.append(
                {
                    "text": decision.text,
                    "owner": decision.owner.full_name,
                    "department": decision.department.name,
                    "promise_on": _iso(decision.promise_on),
                    "plan_id": decided_plan.pk if decided_plan else None,
                    "status": decided_plan.get_status_display() if decided_plan else "No plan made",
                    "promise_broken": bool(decided_plan and promise_broken(decided_plan, calendar, now=until)),
                }
            )

    months = AccountHealthMonth.objects.filter(account=account).order_by("-month")[:12]
    health = [{"month": m.month.strftime("%Y-%m"), "health": m.health} for m in reversed(list(months))]

    return {
        "previous_decisions": decisions,
        "since": _iso(since),
        "until": _iso(until),
        "conversations": {
            "count": log_figures["count"],
            "rated": log_figures["rated"],
            "average_rating": round(log_figures["average"], 2) if log_figures["average"] is not None else None,
            "items": conversations,
        },
        "issues": {
            "by_department": [{"department": name, **counts} for name, counts in sorted(by_department.items())],
            "items": issue_rows,
        },
        "plans": {"broken_promises": broken, "items": plan_rows},
        "escalations": {"items": escalation_rows},
        "health": {"now": account.health, "months": health},
        "sections": [
            section.as_json()
            for section in summary.account_summary(account=account, user=viewer, since=since, until=until)
        ],
    }
