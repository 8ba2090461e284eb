"""Every write to contact logs and issues: one atomic operation each, nothing half-saved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from accounts import policies as account_policies
from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import Account, CustomerContact
from feedback import policies, signals
from feedback.models import Channel, ContactLog, Issue, IssueHandoff, IssueStatus, Severity, Topic
from kernel import dates
from kernel.models import IdempotencyKey
from kernel.versions import lock_version, save_version
from organization import services as organization_services
from organization.models import Department, User
from organization.webhooks import services as webhooks


@dataclass(frozen=True)
class IssueInput:
    department: Department
    verbatim: str
    severity: str = Severity.MEDIUM


@dataclass
class ContactLogInput:
    account: Account
    occurred_at: datetime
    channel: str
    summary: str
    topics: Sequence[str] = ()
    rating: int | None = None
    rating_comment: str = ""
    next_contact_on: date | None = None
    our_participants: Sequence[User] = ()
    their_participants: Sequence[CustomerContact] = ()
    issues: Sequence[IssueInput] = field(default_factory=list)


def _dates_out_of_range(*, now: datetime, **values: date | datetime | None) -> dict[str, list[str]]:
    """The conversation's dates no one can mean (kernel.dates: before 2000, or more than five years ahead), by
    field. Checked here, so the quick log, the edit page and the API refuse the same values."""
    today = timezone.localdate(now)
    problems = {name: dates.out_of_range(value, today=today) for name, value in values.items() if value is not None}
    return {name: [problem] for name, problem in problems.items() if problem is not None}


def _validate(data: ContactLogInput, *, now: datetime) -> None:
    errors = _dates_out_of_range(now=now, occurred_at=data.occurred_at, next_contact_on=data.next_contact_on)
    if data.channel not in Channel.values:
        errors["channel"] = [f"Unknown channel {data.channel!r}."]
    unknown = [t for t in data.topics if t not in Topic.values]
    if unknown:
        errors["topics"] = [f"Unknown topic {t!r}." for t in unknown]
    if not data.summary.strip():
        errors["summary"] = ["Write down what the customer said."]
    if data.rating is not None and not 1 <= data.rating <= 5:
        errors["rating"] = ["The rating is from 1 to 5."]
    if "occurred_at" not in errors and data.occurred_at > now + timedelta(minutes=5):
        errors["occurred_at"] = ["A conversation cannot be logged in the future."]
    strangers = [c.name for c in data.their_participants if c.account_id != data.account.pk]
    if strangers:
        errors["their_participants"] = [f"{name} is not a contact of {data.account.name}." for name in strangers]
    for index, issue in enumerate(data.issues):
        if not issue.verbatim.strip():
            errors[f"issues.{index}.verbatim"] = ["Write the customer's words for this issue."]
        if issue.severity not in Severity.values:
            errors[f"issues.{index}.severity"] = [f"Unknown severity {issue.severity!r}."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def log_contact_once(*, author: User, data: ContactLogInput, now: datetime, submission: str) -> tuple[ContactLog, bool]:
    """log_contact for a form that may be sent twice (a double click, a reload after a slow answer): the form's
    one-time `submission` token is claimed in the same transaction, so the second send finds the first's log
    instead of writing another. Returns the log and whether it was already there."""
    principal, key = f"user:{author.pk}", f"quick-log:{submission}"
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(
                principal=principal, key=key, method="POST", path="quick-log", request_hash=""
            )
    except IntegrityError:
        # A concurrent first send holds the row until it commits; this read waits for it (PostgreSQL) or
        # comes after it (SQLite serialises writers).
        body = IdempotencyKey.objects.get(principal=principal, key=key).response_body or {}
        if "contact_log" not in body:
            raise ValidationError("This form is being saved already; reload the account in a moment.") from None
        return ContactLog.objects.get(pk=body["contact_log"]), True
    log = log_contact(author=author, data=data, now=now)
    claim.response_status, claim.response_body = 302, {"contact_log": log.pk}
    claim.save(update_fields=["response_status", "response_body"])
    return log, False


def log_contact(*, author: User, data: ContactLogInput, now: datetime) -> ContactLog:
    """Save a conversation and its issues in one go, route each issue to its department and notify its members.

    Validation happens before any write; a failure anywhere rolls everything back. The writes are set-based:
    one INSERT each for the log, its history row, our participants, theirs, the issues and all their
    notifications, one read of the departments' members and one of the webhook subscriptions, however many
    issues (docs/performance.md, "Reading it honestly").
    """
    _validate(data, now=now)
    # Read once (cached until a rule changes): the default below and the account's contact clock.
    rules = account_selectors.cached_tier_rules()
    default_next = account_selectors.next_contact_after(
        tier=data.account.tier, occurred_at=data.occurred_at, rules=rules
    )
    log = ContactLog(
        account=data.account,
        occurred_at=data.occurred_at,
        channel=data.channel,
        topics=list(dict.fromkeys(data.topics)),
        summary=data.summary.strip(),
        rating=data.rating,
        rating_comment=data.rating_comment.strip(),
        # No date given (the quick log's empty field, an API body without one): the tier's cadence, decided here
        # only, so every channel logs the same date.
        next_contact_on=data.next_contact_on or default_next,
        author=author,
    )
    # The caller resolved the account, the author and each issue's department (the form, the serializer): full_clean
    # need not read them again. The log's two check constraints are its rating's validators, which clean_fields
    # applies, and a rule about deletion a new log cannot break; each would cost a query and a savepoint.
    log.full_clean(exclude=["account", "author"], validate_constraints=False)
    issues = [
        Issue(
            contact_log=log,
            account=data.account,
            severity=item.severity,
            department=item.department,
            verbatim=item.verbatim.strip(),
            raised_by=author,
            raised_at=data.occurred_at,
        )
        for item in data.issues
    ]
    for issue in issues:
        issue.full_clean(exclude=["contact_log", "account", "department", "raised_by"])
    # Everything that may refuse the conversation was asked above, so the writes need no savepoint of their own
    # (two statements more inside the caller's transaction): inside one, an error rolls the caller back with them.
    with transaction.atomic(savepoint=False):
        log.save()
        log.our_participants.add(author, *data.our_participants)
        if data.their_participants:
            log.their_participants.add(*data.their_participants)
        Issue.objects.bulk_create(issues)
        _notify_departments(routes=[(issue, issue.department) for issue in issues], exclude=author, kind="issue.routed")
        if issues and account_policies.systems_may_learn_of(account=data.account):
            webhooks.emit_many(events=[_raised(issue) for issue in issues], now=now)
        # A date the person chose decides when the account is due (and its place in "who to call next").
        account_services.record_contact(
            account_id=data.account.pk, occurred_at=data.occurred_at, next_contact_on=data.next_contact_on, rules=rules
        )
        signals.send_conversations_changed(data.account.pk)  # fresh health and signals, on commit
    return log


@transaction.atomic
def raise_issue(
    *, account: Account, department: Department, verbatim: str, severity: str, raised_by: User, now: datetime
) -> Issue:
    """An issue that comes from somewhere other than a logged conversation (a customer's survey answer): routed
    and announced exactly as log_contact does for a conversation's issues: the department's members who may open
    it are notified, and `issue.raised` goes to the systems that may learn of the account. `raised_by` is whom
    the issue is recorded against (for a survey, the account's owner); the words are kept as given."""
    if not verbatim.strip():
        raise ValidationError({"verbatim": ["Write the customer's words for this issue."]})
    if severity not in Severity.values:
        raise ValidationError({"severity": [f"Unknown severity {severity!r}."]})
    issue = Issue(
        account=account,
        severity=severity,
        department=department,
        verbatim=verbatim.strip(),
        raised_by=raised_by,
        raised_at=now,
    )
    issue.full_clean(exclude=["contact_log", "account", "department", "raised_by"])
    issue.save()
    _notify_departments(routes=[(issue, department)], exclude=None, kind="issue.routed")
    if account_policies.systems_may_learn_of(account=account):
        webhooks.emit_many(events=[_raised(issue)], now=now)
    return issue


def _raised(issue: Issue) -> webhooks.OutgoingEvent:
    return webhooks.OutgoingEvent(
        event="issue.raised",
        payload={
            "issue": {
                "id": issue.pk,
                "account": issue.account_id,
                "department": issue.department_id,
                "severity": issue.severity,
                "verbatim": issue.verbatim,
                "raised_at": issue.raised_at,
            }
        },
    )


def _notify_departments(*, routes: Sequence[tuple[Issue, Department]], exclude: User | None, kind: str) -> None:
    """Tell each department's members an issue reached them: only those who may open it (a confidential account's
    issue reaches the members on its team, never the rest of the department). One INSERT for all of them."""
    recipients = policies.departments_recipients(routes=routes, exclude=exclude)
    organization_services.notify_many(
        notices=[
            organization_services.Notice(
                users=people,
                kind=kind,
                title=f"{issue.get_severity_display()} issue from {issue.account.name} for {department.name}",
                body=issue.verbatim,
                url=reverse("feedback:issue-detail", args=[issue.pk]),
                dedupe_key=f"{kind}:{issue.pk}:{department.pk}",
            )
            for (issue, department), people in zip(routes, recipients, strict=True)
        ]
    )


def _lock_issue(issue: Issue, expected_version: int | None) -> Issue:
    return lock_version(Issue.objects, pk=issue.pk, expected_version=expected_version)


@transaction.atomic
def acknowledge_issue(*, issue: Issue, by: User, now: datetime, expected_version: int | None = None) -> Issue:
    """The owning department acknowledges a new issue; or the receiving department accepts a pending hand-off,
    which moves ownership to it. Safe to repeat: a second acknowledgement changes nothing. With
    expected_version, an issue changed since the caller saw it raises StaleVersion instead."""
    locked = _lock_issue(issue, expected_version)
    if not policies.can_open_issue(person=by, issue=locked):
        raise PermissionDenied("You cannot open this issue.")
    pending = locked.handoffs.filter(accepted_at__isnull=True).select_related("to_department").first()
    if pending is not None:
        if not policies.acts_for_department(person=by, department=pending.to_department):
            raise PermissionDenied(f"Only {pending.to_department.name} can accept this hand-off.")
        IssueHandoff.objects.filter(pk=pending.pk, accepted_at__isnull=True).update(accepted_at=now, accepted_by=by)
        locked.department = pending.to_department
        if locked.status == IssueStatus.NEW:  # a planned issue keeps its plan and its status
            locked.status = IssueStatus.ACKNOWLEDGED
        locked.acknowledged_by, locked.acknowledged_at = by, now
        save_version(locked, by=by)
    else:
        if not policies.acts_for_department(person=by, department=locked.department):
            raise PermissionDenied(f"Only {locked.department.name} can acknowledge this issue.")
        if locked.status == IssueStatus.NEW:  # acknowledged already: nothing changes, the version stays
            locked.status, locked.acknowledged_by, locked.acknowledged_at = IssueStatus.ACKNOWLEDGED, by, now
            save_version(locked, by=by)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def hand_off_issue(
    *,
    issue: Issue,
    to_department: Department,
    note: str,
    by: User,
    now: datetime,
    expected_version: int | None = None,
) -> IssueHandoff:
    """Pass an issue to the department that can act. The issue stays owned (and visible in the sending inbox)
    until the receiving department acknowledges it. With expected_version, as for acknowledge_issue."""
    locked = _lock_issue(issue, expected_version)
    if not (
        policies.can_open_issue(person=by, issue=locked)
        and policies.acts_for_department(person=by, department=locked.department)
    ):
        raise PermissionDenied(f"Only {locked.department.name} can hand this issue off.")
    if not note.strip():
        raise ValidationError({"note": ["Say why, so the receiving department knows what to do."]})
    if to_department.pk == locked.department_id:
        raise ValidationError({"to_department": ["Choose another department than the one that owns it."]})
    if locked.status in {IssueStatus.RESOLVED, IssueStatus.CLOSED}:
        raise ValidationError({"status": ["A resolved issue cannot be handed off."]})
    if locked.handoffs.filter(accepted_at__isnull=True).exists():
        raise ValidationError({"to_department": ["This issue is already waiting for another department."]})
    handoff = IssueHandoff.objects.create(
        issue=locked,
        from_department=locked.department,
        to_department=to_department,
        note=note.strip(),
        handed_off_by=by,
        handed_off_at=now,
    )
    save_version(locked, by=by)  # the hand-off is a change of the issue: a version, so a stale edit is refused
    _notify_departments(routes=[(locked, to_department)], exclude=by, kind="issue.handed_off")
    return handoff


EDITABLE_FIELDS = {"occurred_at", "channel", "topics", "summary", "rating", "rating_comment", "next_contact_on"}


@transaction.atomic
def edit_contact_log(
    *, log: ContactLog, by: User, now: datetime, expected_version: int | None = None, **fields: Any
) -> ContactLog:
    """The author may correct a log within 24 hours of writing it; every version is kept in its history."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    locked = lock_version(
        ContactLog.objects.filter(deleted_at__isnull=True), pk=log.pk, expected_version=expected_version
    )
    refusal = policies.contact_log_edit_refusal(person=by, log=locked, now=now)
    if refusal:
        raise PermissionDenied(refusal)
    dated = {name: value for name, value in fields.items() if name in {"occurred_at", "next_contact_on"}}
    if errors := _dates_out_of_range(now=now, **dated):
        raise ValidationError(errors)
    changed = {n for n, value in fields.items() if _normalised(n, getattr(locked, n)) != _normalised(n, value)}
    if not changed:  # the edit page sent as it was shown: no new version, no history row
        return locked
    for name, value in fields.items():
        setattr(locked, name, value)
    if "topics" in fields and any(t not in Topic.values for t in locked.topics):
        raise ValidationError({"topics": ["Unknown topic."]})
    save_version(locked, by=by)
    if "next_contact_on" in changed and _is_latest_log(locked):
        # The account is due when its last conversation says (a cleared date: the tier's cadence).
        account_services.plan_next_contact(account_id=locked.account_id, next_contact_on=locked.next_contact_on)
    signals.send_conversations_changed(locked.account_id)
    return locked


def _normalised(name: str, value: Any) -> Any:
    """A value as compared: text with LF line ends (browsers send CRLF), topics in any order, so a page that sends
    back what it showed changes nothing."""
    if name in {"summary", "rating_comment"} and isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if name == "topics" and value is not None:
        return sorted(set(value))
    return value


def _is_latest_log(log: ContactLog) -> bool:
    later = ContactLog.objects.filter(
        account_id=log.account_id, deleted_at__isnull=True, occurred_at__gt=log.occurred_at
    )
    return not later.exists()


@transaction.atomic
def move_contact_log(
    *, log: ContactLog, to_account: Account, by: User, now: datetime, expected_version: int | None = None
) -> ContactLog:
    """A conversation logged on the wrong account goes to the right one, with its issues: by its author within
    the edit window, by admins at any time, and only to an account the mover may open. The move is a version in
    the log's history; both accounts' contact clocks and health follow."""
    locked = lock_version(
        ContactLog.objects.filter(deleted_at__isnull=True).select_related("account"),
        pk=log.pk,
        expected_version=expected_version,
    )
    refusal = policies.contact_log_move_refusal(person=by, log=locked, now=now)
    if refusal:
        raise PermissionDenied(refusal)
    if not account_policies.can_open_account(person=by, account=to_account):
        raise PermissionDenied("You cannot open that account.")
    if to_account.pk == locked.account_id:
        raise ValidationError({"account": ["The conversation is on this account already."]})
    issues = Issue.objects.select_for_update().filter(contact_log=locked)
    if issues.exclude(status__in=[IssueStatus.NEW, IssueStatus.ACKNOWLEDGED]).exists():
        # A planned or resolved issue belongs to a plan on the old account: moving it would split the two.
        raise ValidationError({"account": ["Its issues have plans already; move those first or ask an admin."]})
    from_account = locked.account
    locked.account = to_account
    save_version(locked, by=by, reason=f"moved to {to_account.name}")
    # The people we spoke with are the old account's contacts: they do not follow the conversation.
    locked.their_participants.clear()
    issues.update(account=to_account, version=F("version") + 1)
    remaining = ContactLog.objects.filter(account=from_account, deleted_at__isnull=True).aggregate(
        last=Max("occurred_at")
    )
    account_services.reset_contact_clock(account_id=from_account.pk, last_contact_at=remaining["last"])
    account_services.record_contact(account_id=to_account.pk, occurred_at=locked.occurred_at)
    signals.send_conversations_changed(from_account.pk, to_account.pk)
    return locked


@transaction.atomic
def delete_contact_log(*, log: ContactLog, by: User, reason: str, now: datetime) -> ContactLog:
    """Only admins delete a log, and only with a reason. The row stays, hidden (a soft delete), and the deletion
    is a version in its history: who, when and why."""
    if not policies.can_delete_contact_log(person=by):
        raise PermissionDenied("Only admins delete contact logs.")
    if not reason.strip():
        raise ValidationError({"reason": ["Say why this log is deleted."]})
    locked = lock_version(ContactLog.objects, pk=log.pk)
    if locked.deleted_at is None:
        locked.deleted_at, locked.deleted_by, locked.deleted_reason = now, by, reason.strip()
        save_version(locked, by=by, reason=f"deleted: {reason.strip()}")
        signals.send_conversations_changed(locked.account_id)
    return locked
