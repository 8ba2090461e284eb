"""Who may see and do what with conversations and issues; asked by the services, the pages, the API and every
push (department notifications, hand-off notices, digests). Opening a log or an issue is opening its account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from accounts import policies as account_policies
from feedback.models import ContactLog, Issue, IssueHandoff, IssueStatus
from organization.models import Department, User

EDIT_WINDOW = timedelta(hours=24)  # how long the author may correct a contact log


def can_open_contact_log(*, person: Any, log: ContactLog) -> bool:
    return log.deleted_at is None and account_policies.can_open_account(person=person, account=log.account)


def can_open_issue(*, person: Any, issue: Issue) -> bool:
    return account_policies.can_open_account(person=person, account=issue.account)


def acts_for_department(*, person: Any, department: Department) -> bool:
    """Members of a department act on its issues (acknowledge, hand off, plan); admins for every department."""
    return bool(getattr(person, "is_admin", False)) or getattr(person, "department_id", None) == department.pk


def _pending_handoffs(issue: Issue) -> list[IssueHandoff]:
    """The hand-offs waiting for acknowledgement: prefetched by feedback.selectors.issues_for_user, else read."""
    prefetched: list[IssueHandoff] | None = getattr(issue, "pending_handoffs", None)
    if prefetched is not None:
        return prefetched
    return list(issue.handoffs.filter(accepted_at__isnull=True).select_related("to_department"))


def department_that_must_act(*, issue: Issue) -> Department:
    """The department whose move it is: the receiving one while a hand-off waits, else the owning one."""
    pending = _pending_handoffs(issue)
    return pending[0].to_department if pending else issue.department


def can_acknowledge_issue(*, person: Any, issue: Issue) -> bool:
    if not can_open_issue(person=person, issue=issue):
        return False
    if issue.status != IssueStatus.NEW and not _pending_handoffs(issue):
        return False  # acknowledged already and no hand-off waiting: nothing to acknowledge
    return acts_for_department(person=person, department=department_that_must_act(issue=issue))


def can_hand_off_issue(*, person: Any, issue: Issue) -> bool:
    return (
        can_open_issue(person=person, issue=issue)
        and issue.status not in {IssueStatus.RESOLVED, IssueStatus.CLOSED}
        and not _pending_handoffs(issue)
        and acts_for_department(person=person, department=issue.department)
    )


def contact_log_edit_refusal(*, person: Any, log: ContactLog, now: datetime) -> str | None:
    """Why `person` may not edit the log now (None: they may): only the author, within EDIT_WINDOW of writing it."""
    if not can_open_contact_log(person=person, log=log) or log.author_id != getattr(person, "pk", None):
        return "Only the author edits a contact log."
    if now - log.created_at > EDIT_WINDOW:
        return "Only the author edits a contact log, for 24 hours after writing it."
    return None


def can_edit_contact_log(*, person: Any, log: ContactLog, now: datetime) -> bool:
    return contact_log_edit_refusal(person=person, log=log, now=now) is None


def contact_log_move_refusal(*, person: Any, log: ContactLog, now: datetime) -> str | None:
    """Why `person` may not move the log to another account now (None: they may): its author within the edit
    window, as for an edit; admins at any time. Where it may go is can_open_account's to say."""
    if not can_open_contact_log(person=person, log=log):
        return "You cannot open this conversation."
    if getattr(person, "is_admin", False):
        return None
    refusal = contact_log_edit_refusal(person=person, log=log, now=now)
    return refusal and refusal.replace("edits a contact log", "moves a contact log") + " After that, ask an admin."


def can_move_contact_log(*, person: Any, log: ContactLog, now: datetime) -> bool:
    return contact_log_move_refusal(person=person, log=log, now=now) is None


def can_delete_contact_log(*, person: Any) -> bool:
    return bool(getattr(person, "is_admin", False))


def department_recipients(*, issue: Issue, department: Department, exclude: User | None = None) -> list[User]:
    """The department's active members who may open the issue: who hears that it reached their inbox."""
    (recipients,) = departments_recipients(routes=[(issue, department)], exclude=exclude)
    return recipients


def departments_recipients(
    *, routes: Sequence[tuple[Issue, Department]], exclude: User | None = None
) -> list[list[User]]:
    """department_recipients for several (issue, department) pairs at once (a conversation's issues, each to its
    department), in their order. One query for all the departments' members, and one more per confidential
    account (its team), whatever the number of issues."""
    members = User.objects.filter(department__in={department.pk for _, department in routes}, is_active=True)
    if exclude is not None:
        members = members.exclude(pk=exclude.pk)
    candidates = list(members)
    may_open: dict[int, set[int]] = {}  # account id -> the candidates who may open it
    for issue, _ in routes:
        if issue.account_id not in may_open:
            allowed = account_policies.recipients_who_may_open(account=issue.account, candidates=candidates)
            may_open[issue.account_id] = {person.pk for person in allowed}
    return [
        [p for p in candidates if p.department_id == department.pk and p.pk in may_open[issue.account_id]]
        for issue, department in routes
    ]
