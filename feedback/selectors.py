"""Every read of contact logs and issues, scoped to the accounts the user may see."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
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


def search_matches(*, user: Any, query: str) -> QuerySet[Any]:
    """Every contact log and issue the user may see that matches the query, newest first, as `(kind, pk, at)`
    rows of one UNION ALL: a page of it is one query and a capped count of it another, whatever the number of
    matches. PostgreSQL full-text search (GIN indexed, stemmed) on PostgreSQL, a case-insensitive match of every
    word on SQLite. `search_hits` turns a page of rows into hits with snippets."""
    logs = _matching_logs(user=user, query=query)
    issues = _matching_issues(user=user, query=query)
    if not query.strip():
        logs, issues = logs.none(), issues.none()
    log_rows = logs.annotate(kind=Value("log"), key=F("pk"), at=F("occurred_at")).values_list("kind", "key", "at")
    issue_rows = issues.annotate(kind=Value("issue"), key=F("pk"), at=F("raised_at")).values_list("kind", "key", "at")
    log_rows, issue_rows = log_rows.order_by(), issue_rows.order_by()  # the union orders; its parts may not
    return log_rows.union(issue_rows, all=True).order_by("-at", "kind", "-key")


def search_hits(*, user: Any, query: str, rows: Iterable[tuple[str, int, datetime]]) -> list[SearchHit]:
    """The hits for a page of `search_matches` rows, in the same order, each with the matching stretch of text
    marked: two queries (the page's logs and issues), the snippets computed for these rows only."""
    rows = list(rows)
    log_ids = [pk for kind, pk, _ in rows if kind == "log"]
    issue_ids = [pk for kind, pk, _ in rows if kind == "issue"]
    logs = _matching_logs(user=user, query=query).filter(pk__in=log_ids).select_related("account")
    issues = _matching_issues(user=user, query=query).filter(pk__in=issue_ids).select_related("account")
    found_logs: dict[int, ContactLog]
    found_issues: dict[int, Issue]
    if connection.vendor == "postgresql":
        ts_query = _ts_query(query)
        found_logs = {log.pk: log for log in logs.annotate(snippet=_headline("summary", ts_query))} if log_ids else {}
        found_issues = (
            {issue.pk: issue for issue in issues.annotate(snippet=_headline("verbatim", ts_query))} if issue_ids else {}
        )
        log_snippets = {pk: _safe_headline(getattr(log, "snippet", "")) for pk, log in found_logs.items()}
        issue_snippets = {pk: _safe_headline(getattr(issue, "snippet", "")) for pk, issue in found_issues.items()}
    else:
        terms = query.split()
        found_logs = {log.pk: log for log in logs} if log_ids else {}
        found_issues = {issue.pk: issue for issue in issues} if issue_ids else {}
        log_snippets = {pk: _highlight(log.summary, terms) for pk, log in found_logs.items()}
        issue_snippets = {pk: _highlight(issue.verbatim, terms) for pk, issue in found_issues.items()}
    hits = []
    for kind, pk, _ in rows:  # a row deleted since the page was read is left out
        if kind == "log" and pk in found_logs:
            log = found_logs[pk]
            hits.append(SearchHit("log", pk, log.account, log.occurred_at, log_snippets[pk], f"/feedback/logs/{pk}/"))
        elif kind == "issue" and pk in found_issues:
            issue = found_issues[pk]
            hits.append(
                SearchHit("issue", pk, issue.account, issue.raised_at, issue_snippets[pk], f"/feedback/issues/{pk}/")
            )
    return hits


def _ts_query(query: str) -> SearchQuery:
    return SearchQuery(query, config="english", search_type="websearch")


def _headline(field: str, ts_query: SearchQuery) -> SearchHeadline:
    return SearchHeadline(
        field, ts_query, config="english", start_sel="<mark>", stop_sel="</mark>", max_words=40, min_words=15
    )


def _matching_logs(*, user: Any, query: str) -> QuerySet[ContactLog]:
    logs = ContactLog.objects.visible_to(user)
    if connection.vendor == "postgresql":
        document = RawSQL(LOG_DOCUMENT, [], output_field=SearchVectorField())  # noqa: S611
        return logs.annotate(document=document).filter(document=_ts_query(query))
    for term in query.split():
        logs = logs.filter(Q(summary__icontains=term) | Q(rating_comment__icontains=term))
    return logs


def _matching_issues(*, user: Any, query: str) -> QuerySet[Issue]:
    issues = Issue.objects.visible_to(user)
    if connection.vendor == "postgresql":
        document = RawSQL(ISSUE_DOCUMENT, [], output_field=SearchVectorField())  # noqa: S611
        return issues.annotate(document=document).filter(document=_ts_query(query))
    for term in query.split():
        issues = issues.filter(verbatim__icontains=term)
    return issues


def _safe_headline(headline: str) -> SafeString:
    """ts_headline returns the raw text with <mark> around matches: escape everything else."""
    parts = re.split(r"(</?mark>)", headline)
    return mark_safe("".join(p if p in {"<mark>", "</mark>"} else escape(p) for p in parts))  # noqa: S308
