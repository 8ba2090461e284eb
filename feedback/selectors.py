"""Every read of contact logs and issues, scoped to the accounts the user may see."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Account
from feedback.models import ContactLog, Issue, IssueHandoff, IssueStatus
from organization.models import Department, User

# The same expressions as the GIN indexes of migration 0002 (PostgreSQL only), so the planner can use them.
LOG_DOCUMENT = "to_tsvector('english', coalesce(summary, '') || ' ' || coalesce(rating_comment, ''))"
ISSUE_DOCUMENT = "to_tsvector('english', coalesce(verbatim, ''))"


def contact_logs_for_user(*, user: Any) -> QuerySet[ContactLog]:
    return (
        ContactLog.objects.visible_to(user)
        .select_related("account", "author")
        .prefetch_related("our_participants", "their_participants")
    )


def issues_for_user(*, user: Any) -> QuerySet[Issue]:
    pending = IssueHandoff.objects.filter(accepted_at__isnull=True).select_related("to_department", "from_department")
    return (
        Issue.objects.visible_to(user)
        .select_related("account", "department", "raised_by", "acknowledged_by")
        .prefetch_related(Prefetch("handoffs", queryset=pending, to_attr="pending_handoffs"))
    )


def inbox_for_department(*, user: Any, department: Department, include_closed: bool = False) -> QuerySet[Issue]:
    """Issues the department owns, plus those handed to it that wait for its acknowledgement."""
    handed_to = IssueHandoff.objects.filter(issue=OuterRef("pk"), to_department=department, accepted_at__isnull=True)
    issues = issues_for_user(user=user).filter(Q(department=department) | Exists(handed_to))
    if not include_closed:
        issues = issues.exclude(status__in=[IssueStatus.RESOLVED, IssueStatus.CLOSED])
    return issues.order_by("-raised_at", "-id")


def unread_notification_count(*, user: User) -> int:
    return user.notifications.filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "log" or "issue"
    pk: int
    account: Account
    at: datetime
    snippet: SafeString
    url: str


def _highlight(text: str, terms: list[str], width: int = 240) -> SafeString:
    """SQLite fallback: the first matching stretch of the text, with the terms in <mark>, HTML-escaped."""
    lowered = text.lower()
    positions = [lowered.find(t.lower()) for t in terms if t and lowered.find(t.lower()) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    excerpt = str(
        escape(("…" if start else "") + text[start : start + width] + ("…" if len(text) > start + width else ""))
    )
    for term in sorted(set(terms), key=len, reverse=True):
        excerpt = re.sub(f"({re.escape(escape(term))})", r"<mark>\1</mark>", excerpt, flags=re.IGNORECASE)
    return mark_safe(excerpt)  # noqa: S308 - built from escaped text only


def search_feedback(*, user: Any, query: str, limit: int = 50) -> list[SearchHit]:
    """Full-text search over contact logs and issues the user may see: PostgreSQL full-text search (GIN
    indexed, stemmed, ranked) on PostgreSQL, a plain case-insensitive match on SQLite."""
    query = query.strip()
    if not query:
        return []
    logs = ContactLog.objects.visible_to(user).select_related("account")
    issues = Issue.objects.visible_to(user).select_related("account")
    if connection.vendor == "postgresql":
        ts_query = SearchQuery(query, config="english", search_type="websearch")
        logs = (
            logs.annotate(document=RawSQL(LOG_DOCUMENT, [], output_field=SearchVectorField()))  # noqa: S611
            .filter(document=ts_query)
            .annotate(
                snippet=SearchHeadline(
                    "summary",
                    ts_query,
                    config="english",
                    start_sel="<mark>",
                    stop_sel="</mark>",
                    max_words=40,
                    min_words=15,
                )
            )
        )
        issues = (
            issues.annotate(document=RawSQL(ISSUE_DOCUMENT, [], output_field=SearchVectorField()))  # noqa: S611
            .filter(document=ts_query)
            .annotate(
                snippet=SearchHeadline(
                    "verbatim",
                    ts_query,
                    config="english",
                    start_sel="<mark>",
                    stop_sel="</mark>",
                    max_words=40,
                    min_words=15,
                )
            )
        )
        log_hits = [(log, _safe_headline(getattr(log, "snippet", ""))) for log in logs.order_by("-occurred_at")[:limit]]
        issue_hits = [
            (issue, _safe_headline(getattr(issue, "snippet", ""))) for issue in issues.order_by("-raised_at")[:limit]
        ]
    else:
        terms = query.split()
        log_filter = Q()
        issue_filter = Q()
        for term in terms:
            log_filter &= Q(summary__icontains=term) | Q(rating_comment__icontains=term)
            issue_filter &= Q(verbatim__icontains=term)
        log_hits = [(log, _highlight(log.summary, terms)) for log in logs.filter(log_filter)[:limit]]
        issue_hits = [(issue, _highlight(issue.verbatim, terms)) for issue in issues.filter(issue_filter)[:limit]]
    hits = [
        SearchHit("log", log.pk, log.account, log.occurred_at, snippet, f"/feedback/logs/{log.pk}/")
        for log, snippet in log_hits
    ] + [
        SearchHit("issue", issue.pk, issue.account, issue.raised_at, snippet, f"/feedback/issues/{issue.pk}/")
        for issue, snippet in issue_hits
    ]
    hits.sort(key=lambda h: h.at, reverse=True)
    return hits[:limit]


def _safe_headline(headline: str) -> SafeString:
    """ts_headline returns the raw text with <mark> around matches: escape everything else."""
    parts = re.split(r"(</?mark>)", headline)
    return mark_safe("".join(p if p in {"<mark>", "</mark>"} else escape(p) for p in parts))  # noqa: S308
