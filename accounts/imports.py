"""Importing a CSV file of accounts or contacts: the dry run, the confirmation and the all-or-nothing import.

An upload is checked first (the dry run): every row is validated and the outcome is stored as an AccountImport,
with the file's text kept server-side for the confirmation. Nothing else is written by a dry run. Confirming
imports all or nothing: the rows are checked again inside one transaction and written with bulk inserts, and any
error rolls the whole file back. Files of more than INLINE_ROWS rows are imported by a Celery task.

Reading the file is accounts.csv_parsing; the pages' reads are accounts.selectors; the formats:
docs/csv-import.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import policies, services, tasks
from accounts.csv_parsing import BadFile, ParsedFile, Row, parse_bool, parse_csv, split_list
from accounts.models import Account, AccountImport, AccountStatus, BuyingRole, CustomerContact, Segment
from organization.models import User

INLINE_ROWS = 500  # larger files are imported by accounts.tasks.run_import_task
ERRORS_KEPT = 1000  # a report longer than this helps nobody; the total is still counted
LOOKUP_BATCH = 500  # values per IN (…): stays under SQLite's limit on query parameters
WRITE_BATCH = 1000
PROGRESS_EVERY = 500


STATUSES = frozenset(AccountStatus.values)
BUYING_ROLES = frozenset(BuyingRole.values)
# The fields a row sets: only these go through the model's field validation (the rest keep their defaults).
ACCOUNT_FIELDS = frozenset({"name", "external_id", "industry", "region", "status", "is_confidential", "needs", "wants"})
CONTACT_FIELDS = frozenset({"name", "title", "email", "phone", "buying_role", "influence"})

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    row: int  # 0: not about one row
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class _RowErrors(list[RowError]):
    def __init__(self, row: Row) -> None:
        super().__init__()
        self.row = row

    def add(self, column: str, message: str) -> None:
        self.append(RowError(self.row.number, column, message))

    @property
    def columns(self) -> set[str]:
        return {error.column for error in self}


@dataclass
class CheckResult:
    objects: list[Any] = field(default_factory=list)  # unsaved Account or CustomerContact instances
    errors: list[RowError] = field(default_factory=list)

    @property
    def invalid_rows(self) -> int:
        return len({error.row for error in self.errors})


def check_rows(
    *, kind: str, rows: Sequence[Row], user: User, on_progress: Callable[[int], None] | None = None
) -> CheckResult:
    """Validate every row against the database as it is now: a fixed number of lookups, then one pass."""
    if kind == AccountImport.Kind.ACCOUNTS:
        return _check_accounts(rows, on_progress)
    return _check_contacts(rows, user, on_progress)


def _check_accounts(rows: Sequence[Row], on_progress: Callable[[int], None] | None) -> CheckResult:
    segments = {segment.slug.lower(): segment for segment in Segment.objects.all()}
    owners = _users_by_email({row.get("owner_email").lower() for row in rows} - {""})
    taken = _existing_external_ids({row.get("external_id") for row in rows} - {""})
    first_seen: dict[str, int] = {}
    result = CheckResult()
    for done, row in enumerate(rows, start=1):
        errors = _RowErrors(row)
        fields: dict[str, Any] = {}
        fields["name"] = row.get("name")
        if not fields["name"]:
            errors.add("name", "A name is required.")
        fields["external_id"] = row.get("external_id") or None
        if fields["external_id"]:
            external_id = fields["external_id"]
            if external_id in first_seen:
                errors.add("external_id", f"“{external_id}” is also the external_id of row {first_seen[external_id]}.")
            else:
                first_seen[external_id] = row.number
            if external_id in taken:
                errors.add("external_id", f"An account with external_id “{external_id}” already exists.")
        slug = row.get("segment").lower()
        if not slug:
            errors.add("segment", "A segment is required.")
        elif slug not in segments:
            errors.add("segment", f"There is no segment “{slug}”. Use one of: {', '.join(sorted(segments))}.")
        else:
            fields["segment"] = segments[slug]
        fields["industry"] = row.get("industry")
        fields["region"] = row.get("region")
        fields["status"] = row.get("status").lower().replace(" ", "_") or AccountStatus.ACTIVE
        if fields["status"] not in STATUSES:
            errors.add("status", f"“{row.get('status')}” is not a status. Use {', '.join(AccountStatus.values)}.")
        email = row.get("owner_email").lower()
        owner = owners.get(email)
        if not email:
            errors.add("owner_email", "An owner_email is required.")
        elif owner is None:
            errors.add("owner_email", f"There is no user with the email address “{email}”.")
        elif not owner.is_active:
            errors.add("owner_email", f"{email} is deactivated and cannot own accounts.")
        elif not policies.may_own_accounts(user=owner):
            errors.add("owner_email", f"{email} is {owner.get_role_display().lower()}, and cannot own accounts.")
        else:
            fields["owner"] = owner
        confidential = parse_bool(row.get("is_confidential"))
        if confidential is None:
            errors.add("is_confidential", f"“{row.get('is_confidential')}” is not true or false.")
        fields["is_confidential"] = bool(confidential)
        fields["needs"] = split_list(row.get("needs"))
        fields["wants"] = split_list(row.get("wants"))
        if row.has_extra_values:
            errors.add("", "This row has more values than the header has columns.")
        account = Account(**fields)
        _clean_fields(account, errors, only=ACCOUNT_FIELDS)
        _collect(result, account, errors)
        if on_progress and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            on_progress(done)
    return result


def _check_contacts(rows: Sequence[Row], user: User, on_progress: Callable[[int], None] | None) -> CheckResult:
    accounts, editable = _accounts_for_contacts({row.get("account_external_id") for row in rows} - {""}, user)
    result = CheckResult()
    for done, row in enumerate(rows, start=1):
        errors = _RowErrors(row)
        fields: dict[str, Any] = {}
        external_id = row.get("account_external_id")
        if not external_id:
            errors.add("account_external_id", "An account_external_id is required.")
        elif external_id not in accounts:
            errors.add("account_external_id", f"There is no account with external_id “{external_id}”.")
        elif accounts[external_id][0] not in editable:
            errors.add(
                "account_external_id",
                f"You may not change the contacts of {accounts[external_id][1]}: only its owner, team members "
                "who may edit it and admins may.",
            )
        else:
            fields["account_id"] = accounts[external_id][0]
        fields["name"] = row.get("name")
        if not fields["name"]:
            errors.add("name", "A name is required.")
        fields["title"] = row.get("title")
        fields["email"] = row.get("email")
        fields["phone"] = row.get("phone")
        fields["buying_role"] = row.get("buying_role").lower().replace(" ", "_") or BuyingRole.USER
        if fields["buying_role"] not in BUYING_ROLES:
            errors.add(
                "buying_role",
                f"“{row.get('buying_role')}” is not a buying role. Use {', '.join(BuyingRole.values)}.",
            )
        influence = row.get("influence") or "3"
        if not influence.isdigit() or not 1 <= int(influence) <= 5:
            errors.add("influence", f"“{influence}” is not an influence: use a whole number from 1 to 5.")
        else:
            fields["influence"] = int(influence)
        if row.has_extra_values:
            errors.add("", "This row has more values than the header has columns.")
        contact = CustomerContact(**fields)
        _clean_fields(contact, errors, only=CONTACT_FIELDS)
        _collect(result, contact, errors)
        if on_progress and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            on_progress(done)
    return result


def _clean_fields(instance: models.Model, errors: _RowErrors, *, only: frozenset[str]) -> None:
    """The model's own validation of the fields a row sets (lengths, email format…), without database lookups.

    Columns already reported are skipped, so one mistake gives one message.
    """
    skip = {f.name for f in instance._meta.concrete_fields if f.name not in only} | errors.columns
    try:
        instance.clean_fields(exclude=skip)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.add(name, " ".join(messages))


def _collect(result: CheckResult, instance: models.Model, errors: list[RowError]) -> None:
    if errors:
        result.errors.extend(errors)
    else:
        result.objects.append(instance)


def _batches(values: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == LOOKUP_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _users_by_email(emails: set[str]) -> dict[str, User]:
    users: dict[str, User] = {}
    for batch in _batches(sorted(emails)):
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=batch):
            users[user.email.lower()] = user
    return users


def _existing_external_ids(external_ids: set[str]) -> set[str]:
    taken: set[str] = set()
    for batch in _batches(sorted(external_ids)):
        taken.update(
            external_id
            for external_id in Account.objects.filter(external_id__in=batch).values_list("external_id", flat=True)
            if external_id is not None
        )
    return taken


def _accounts_for_contacts(external_ids: set[str], user: User) -> tuple[dict[str, tuple[int, str]], set[int]]:
    """(external_id → (pk, name)) of the accounts the user may see, and the pks of those they may edit.

    An account the user may not see is reported as missing, so a file cannot probe for confidential accounts.
    """
    visible: dict[str, tuple[int, str]] = {}
    editable: set[int] = set()
    for batch in _batches(sorted(external_ids)):
        found = Account.objects.visible_to(user).filter(external_id__in=batch)
        for pk, external_id, name in found.values_list("pk", "external_id", "name"):
            visible[external_id or ""] = (pk, name)
        if not user.is_admin:  # policies.can_edit_account, for many accounts at once
            found = found.filter(Q(owner=user) | Q(team_members__user=user, team_members__can_edit=True))
        editable.update(found.values_list("pk", flat=True))
    return visible, editable


def check_upload(*, parsed: ParsedFile, file_name: str, user: User) -> AccountImport:
    """The dry run: check every row and record the outcome. Writes nothing else."""
    if not policies.can_import_accounts(person=user):
        raise PermissionDenied("Account managers, department leads, executives and admins import accounts.")
    result = check_rows(kind=parsed.kind, rows=parsed.rows, user=user)
    return AccountImport.objects.create(
        kind=parsed.kind,
        status=AccountImport.Status.INVALID if result.errors else AccountImport.Status.READY,
        file_name=file_name[:255],
        content="" if result.errors else parsed.text,  # a file with errors is fixed and uploaded again
        row_count=len(parsed.rows),
        invalid_rows=result.invalid_rows,
        error_count=len(result.errors),
        errors=[error.as_dict() for error in result.errors[:ERRORS_KEPT]],
        created_by=user,
    )


@transaction.atomic
def confirm_import(*, account_import: AccountImport, user: User, now: datetime) -> AccountImport:
    """Import a checked file: inline when small, otherwise queued for a worker. Confirming twice does nothing."""
    if account_import.created_by_id != user.pk or not policies.can_import_accounts(person=user):
        raise PermissionDenied("Only the person who uploaded a file imports it.")
    if account_import.row_count <= INLINE_ROWS:
        return run_import(import_id=account_import.pk, now=now)
    queued = AccountImport.objects.filter(pk=account_import.pk, status=AccountImport.Status.READY).update(
        status=AccountImport.Status.QUEUED
    )
    if queued:
        tasks.run_import_task.delay_on_commit(account_import.pk)
    account_import.refresh_from_db()
    return account_import


class _Rejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def run_import(*, import_id: int, now: datetime) -> AccountImport:
    """Import a checked file all or nothing. Safe to run twice: a finished import is left alone.

    First the rows are checked again outside the write transaction, committing progress as it goes, so the
    page has something to show. Then, inside one transaction, the import row is locked, the rows are checked once
    more against the database as it is then, written in bulk and the accounts re-ranked once. Any error rolls
    the whole file back.
    """
    job = AccountImport.objects.select_related("created_by").get(pk=import_id)
    if job.status not in {AccountImport.Status.READY, AccountImport.Status.QUEUED, AccountImport.Status.RUNNING}:
        return job
    # RUNNING is taken over too: a worker that died mid-import wrote nothing, and its redelivered task resumes.
    AccountImport.objects.filter(
        pk=import_id, status__in=[AccountImport.Status.READY, AccountImport.Status.QUEUED]
    ).update(status=AccountImport.Status.RUNNING, started_at=now, checked_rows=0)
    try:
        rows = parse_csv(text=job.content, kind=job.kind).rows
    except BadFile as exc:  # only if the stored text was lost: nothing to import
        return _fail(import_id, [RowError(0, "", str(exc))])

    def progress(done: int) -> None:
        AccountImport.objects.filter(pk=import_id, status=AccountImport.Status.RUNNING).update(checked_rows=done)

    checked = check_rows(kind=job.kind, rows=rows, user=job.created_by, on_progress=progress)
    if checked.errors:
        return _fail(import_id, checked.errors)
    del checked  # free the first pass's objects before the second
    try:
        with transaction.atomic():
            locked = (
                AccountImport.objects.select_for_update()
                .filter(pk=import_id, status=AccountImport.Status.RUNNING)
                .first()
            )
            if locked is None:  # another run finished it while this one was checking
                return AccountImport.objects.get(pk=import_id)
            result = check_rows(kind=job.kind, rows=rows, user=job.created_by)
            if result.errors:
                raise _Rejected(result.errors)
            _write(locked, result.objects, user=job.created_by, now=now)
            locked.status = AccountImport.Status.DONE
            locked.imported_rows = len(result.objects)
            locked.checked_rows = len(rows)
            locked.content = ""
            locked.finished_at = timezone.now()
            locked.save(
                update_fields=["status", "imported_rows", "checked_rows", "content", "finished_at", "updated_at"]
            )
            return locked
    except _Rejected as exc:
        return _fail(import_id, exc.errors)
    except (IntegrityError, ValidationError) as exc:
        message = f"The database refused the import, so nothing was imported ({exc}). Check the file and retry."
        return _fail(import_id, [RowError(0, "", message)])


def _write(job: AccountImport, objects: list[Any], *, user: User, now: datetime) -> None:
    if job.kind == AccountImport.Kind.ACCOUNTS:
        created = Account.objects.bulk_create(objects, batch_size=WRITE_BATCH)
        # bulk_create skips simple_history's signals: record the creations, attributed to the importer.
        Account.history.bulk_history_create(
            created,
            batch_size=WRITE_BATCH,
            default_user=user,
            default_change_reason=f"CSV import #{job.pk}",
            default_date=now,
        )
        services.recompute_priorities(changed_by=user, now=now, note=f"CSV import #{job.pk}: {len(created)} added")
    else:
        CustomerContact.objects.bulk_create(objects, batch_size=WRITE_BATCH)


def fail_import(*, import_id: int, message: str) -> AccountImport:
    """Give up on a queued or running import (its worker hit an error it cannot recover from)."""
    return _fail(import_id, [RowError(0, "", message)], among=[AccountImport.Status.QUEUED])


def _fail(import_id: int, errors: list[RowError], *, among: Sequence[str] = ()) -> AccountImport:
    """Record why an import failed; nothing of it was written. Only a running (or `among`) import changes."""
    AccountImport.objects.filter(pk=import_id, status__in=[AccountImport.Status.RUNNING, *among]).update(
        status=AccountImport.Status.FAILED,
        content="",
        invalid_rows=len({error.row for error in errors if error.row}),
        error_count=len(errors),
        errors=[error.as_dict() for error in errors[:ERRORS_KEPT]],
        finished_at=timezone.now(),
    )
    return AccountImport.objects.get(pk=import_id)
