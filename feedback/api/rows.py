"""Contact log and issue bodies as lean rows (kernel.api.rows): what ContactLogSerializer and IssueSerializer
write, built from `.values()` without model instances. tests/test_api_lean_rows.py holds them together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, JSONObject

from accounts.models import CustomerContact
from feedback.models import ContactLog, Issue, IssueHandoff
from kernel.api.rows import date_text, datetime_writer, json_column, json_value
from organization.models import User

# The values a row is built from; the cursor orderings' fields (occurred_at, raised_at, id) are among them.
CONTACT_LOG_VALUES = (
    "id",
    "account_id",
    "account__name",
    "occurred_at",
    "channel",
    "summary",
    "rating",
    "rating_comment",
    "next_contact_on",
    "author_id",
    "author__full_name",
    "version",
    "created_at",
    "updated_at",
)
ISSUE_VALUES = (
    "id",
    "contact_log_id",
    "account_id",
    "account__name",
    "severity",
    "department_id",
    "department__name",
    "verbatim",
    "status",
    "raised_by_id",
    "raised_by__full_name",
    "raised_at",
    "acknowledged_by_id",
    "acknowledged_at",
    "resolved_at",
    "version",
    "created_at",
    "updated_at",
)
_HANDOFF_VALUES = (
    "id",
    "issue_id",
    "from_department_id",
    "from_department__name",
    "to_department_id",
    "to_department__name",
    "note",
    "handed_off_by_id",
    "handed_off_at",
)


def contact_log_values(queryset: QuerySet[ContactLog]) -> QuerySet[ContactLog, dict[str, Any]]:
    """A scoped contact-log QuerySet as the rows contact_log_rows builds from (account and author joined)."""
    topics = json_column("topics")  # parsed by kernel.api.rows.json_value
    rows: QuerySet[ContactLog, dict[str, Any]] = queryset.prefetch_related(None).values(
        *CONTACT_LOG_VALUES, topics_json=topics
    )
    return rows


def contact_log_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """ContactLogSerializer's body of each row: the participants and issues of all of them in three queries."""
    ids = [row["id"] for row in rows]
    ours: dict[int, list[int]] = defaultdict(list)
    theirs: dict[int, list[int]] = defaultdict(list)
    issues: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        # In the order the serializer's prefetch gives (User's, CustomerContact's ordering; the id settles ties).
        people = ContactLog.our_participants.through.objects.filter(contactlog_id__in=ids)
        for log_id, user_id in people.order_by("user__full_name", "user__email", "user_id").values_list(
            "contactlog_id", "user_id"
        ):
            ours[log_id].append(user_id)
        contacts = ContactLog.their_participants.through.objects.filter(contactlog_id__in=ids)
        for log_id, contact_id in contacts.order_by(
            "-customercontact__influence", "customercontact__name", "customercontact_id"
        ).values_list("contactlog_id", "customercontact_id"):
            theirs[log_id].append(contact_id)
        raised = Issue.objects.filter(contact_log_id__in=ids).order_by("id")
        for issue in raised.values("contact_log_id", *_LOG_ISSUE_VALUES):
            issues[issue["contact_log_id"]].append(_log_issue(issue))
    moment = datetime_writer()
    return [
        _log_body(
            row,
            topics=json_value(row["topics_json"]),
            ours=ours[row["id"]],
            theirs=theirs[row["id"]],
            issues=issues[row["id"]],
            moment=moment,
        )
        for row in rows
    ]


def created_contact_log_body(
    log: ContactLog, *, our: Sequence[User], theirs: Sequence[CustomerContact]
) -> dict[str, Any]:
    """The body a GET of a log just created answers (contact_log_rows), from what its request holds: the log as
    services.log_contact saved it, its account and author loaded, and the people in the conversation, ordered as
    the participants' rows are; only its issues are read (one query). tests/feedback compares it with the GET."""
    people = sorted({user.pk: user for user in our}.values(), key=lambda user: (user.full_name, user.email, user.pk))
    contacts = sorted({c.pk: c for c in theirs}.values(), key=lambda c: (-c.influence, c.name, c.pk))
    row = {field: getattr(log, field) for field in _LOG_OWN_VALUES}
    row.update(account__name=log.account.name, author__full_name=log.author.full_name)
    return _log_body(
        row,
        topics=log.topics,
        ours=[user.pk for user in people],
        theirs=[contact.pk for contact in contacts],
        issues=[_log_issue(issue) for issue in log.issues.order_by("id").values(*_LOG_ISSUE_VALUES)],
        moment=datetime_writer(),
    )


# A log's own columns among CONTACT_LOG_VALUES (the others come through its account and author), and what its
# body shows of each issue it raised.
_LOG_OWN_VALUES = tuple(value for value in CONTACT_LOG_VALUES if "__" not in value)
_LOG_ISSUE_VALUES = ("id", "severity", "department_id", "verbatim", "status")


def _log_issue(issue: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": issue["id"],
        "severity": issue["severity"],
        "department": issue["department_id"],
        "verbatim": issue["verbatim"],
        "status": issue["status"],
    }


def _log_body(
    row: dict[str, Any],
    *,
    topics: Any,
    ours: list[int],
    theirs: list[int],
    issues: list[dict[str, Any]],
    moment: Any,
) -> dict[str, Any]:
    """ContactLogSerializer's body of one log, from its CONTACT_LOG_VALUES row and what belongs to it."""
    return {
        "id": row["id"],
        "account": row["account_id"],
        "account_name": row["account__name"],
        "occurred_at": moment(row["occurred_at"]),
        "channel": row["channel"],
        "topics": _topics(topics),
        "summary": row["summary"],
        "rating": row["rating"],
        "rating_comment": row["rating_comment"],
        "next_contact_on": date_text(row["next_contact_on"]),
        "author": row["author_id"],
        "author_name": row["author__full_name"],
        "our_participants": ours,
        "their_participants": theirs,
        "issues": issues,
        "version": row["version"],
        "created_at": moment(row["created_at"]),
        "updated_at": moment(row["updated_at"]),
    }


def _topics(topics: Any) -> list[Any] | None:
    return None if topics is None else list(topics)


def contact_log_body(queryset: QuerySet[ContactLog], *, pk: int) -> dict[str, Any] | None:
    """One contact log of a scoped QuerySet (None: not visible), as ContactLogSerializer writes it."""
    row = contact_log_values(queryset.filter(pk=pk)).first()
    return None if row is None else contact_log_rows([row])[0]


def issue_values(queryset: QuerySet[Issue]) -> QuerySet[Issue, dict[str, Any]]:
    """A scoped issue QuerySet as the rows issue_rows builds from (account, department and raiser joined), each
    with its pending hand-off as one JSON object read in the same query: a feed page is one statement."""
    waiting = (
        IssueHandoff.objects.filter(issue=OuterRef("pk"), accepted_at__isnull=True)
        # The latest first, as IssueHandoff's ordering has it (a unique constraint allows one per issue anyway).
        .order_by("-handed_off_at", "-id")
        .values(handoff=JSONObject(**{name: name for name in _HANDOFF_VALUES}))[:1]
    )
    rows: QuerySet[Issue, dict[str, Any]] = (
        queryset.prefetch_related(None)
        .annotate(pending_handoff=Cast(Subquery(waiting), output_field=TextField()))
        .values(*ISSUE_VALUES, "pending_handoff")
    )
    return rows


def _instant(text: str | None) -> datetime | None:
    """A date-time inside a JSON object the database built: PostgreSQL writes ISO 8601 with its offset, SQLite
    the stored UTC text without one."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _pending(text: str | None, moment: Any) -> dict[str, Any] | None:
    handoff = json_value(text)
    if handoff is None:
        return None
    return {
        "id": handoff["id"],
        "from_department": handoff["from_department_id"],
        "from_department_name": handoff["from_department__name"],
        "to_department": handoff["to_department_id"],
        "to_department_name": handoff["to_department__name"],
        "note": handoff["note"],
        "handed_off_by": handoff["handed_off_by_id"],
        "handed_off_at": moment(_instant(handoff["handed_off_at"])),
    }


def issue_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """IssueSerializer's body of each row of issue_values."""
    moment = datetime_writer()
    return [
        {
            "id": row["id"],
            "contact_log": row["contact_log_id"],
            "account": row["account_id"],
            "account_name": row["account__name"],
            "severity": row["severity"],
            "department": row["department_id"],
            "department_name": row["department__name"],
            "verbatim": row["verbatim"],
            "status": row["status"],
            "raised_by": row["raised_by_id"],
            "raised_by_name": row["raised_by__full_name"],
            "raised_at": moment(row["raised_at"]),
            "acknowledged_by": row["acknowledged_by_id"],
            "acknowledged_at": moment(row["acknowledged_at"]),
            "resolved_at": moment(row["resolved_at"]),
            "pending_handoff": _pending(row["pending_handoff"], moment),
            "version": row["version"],
            "created_at": moment(row["created_at"]),
            "updated_at": moment(row["updated_at"]),
        }
        for row in rows
    ]


def issue_body(queryset: QuerySet[Issue], *, pk: int) -> dict[str, Any] | None:
    """One issue of a scoped QuerySet (None: not visible), as IssueSerializer writes it."""
    row = issue_values(queryset.filter(pk=pk)).first()
    return None if row is None else issue_rows([row])[0]
