from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils.text import slugify

from organization import selectors
from organization.models import ApiClient, Department, Notification, User

# Recording every request would turn each API read into a write; a minute's resolution is plenty for "last used".
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The audit log records a token's use once per client per this interval, not once per request.
TOKEN_USE_AUDIT_INTERVAL = timedelta(hours=1)
# Rows per INSERT in notify_many: a sweep batch may notify thousands of people (an executive floor per level).
NOTIFY_BATCH = 5000


@transaction.atomic
def create_department(*, name: str, slug: str = "", lead: User | None = None) -> Department:
    department = Department(name=name.strip(), slug=slug or slugify(name), lead=lead)
    department.full_clean()
    department.save()
    return department


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{ApiClient.TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def create_api_client(*, name: str, department: Department, can_read: bool, can_write: bool) -> tuple[ApiClient, str]:
    """Create a client and return it with its token. The token exists only in this return value."""
    prefix, token = _new_token()
    client = ApiClient(
        name=name,
        department=department,
        can_read=can_read,
        can_write=can_write,
        token_prefix=prefix,
        token_hash=ApiClient.hash_token(token),
    )
    client.full_clean()
    client.save()
    return client, token


@transaction.atomic
def rotate_api_client_token(*, client: ApiClient) -> str:
    """A new token for the client; the old one stops working at once, also where it was cached."""
    prefix, token = _new_token()
    rows = ApiClient.objects.filter(pk=client.pk)
    for old_hash in rows.values_list("token_hash", flat=True):
        selectors.forget_api_client_token(token_hash=old_hash)
    rows.update(token_prefix=prefix, token_hash=ApiClient.hash_token(token))
    client.refresh_from_db()
    return token


@transaction.atomic
def revoke_api_client(*, client: ApiClient) -> ApiClient:
    """Stop the client's token working, at once: the very next call with it is a 401 in every process (the save
    drops its cached lookup, organization.selectors.forget_saved_api_client)."""
    client.is_active = False
    client.save(update_fields=["is_active", "updated_at"])
    return client


def mark_api_client_used(*, client: ApiClient, now: datetime) -> bool:
    """Move `last_used_at` forward, at most once per LAST_USED_RESOLUTION (a conditional UPDATE, no read).

    Returns True when this request is the one to write the client's hourly `api_token_use` audit row: the same
    UPDATE claims it (TOKEN_USE_AUDIT_INTERVAL), so of two concurrent requests only one writes it.
    """
    rows = ApiClient.objects.filter(pk=client.pk)
    audited = client.token_use_audited_at
    if audited is None or now - audited >= TOKEN_USE_AUDIT_INTERVAL:
        won = rows.exclude(token_use_audited_at__gt=now - TOKEN_USE_AUDIT_INTERVAL).update(
            last_used_at=now, token_use_audited_at=now
        )
        client.last_used_at = client.token_use_audited_at = now
        return bool(won)
    if client.last_used_at and now - client.last_used_at < LAST_USED_RESOLUTION:
        return False
    rows.exclude(last_used_at__gt=now - LAST_USED_RESOLUTION).update(last_used_at=now)
    client.last_used_at = now
    return False


def notify(*, users: Iterable[User], kind: str, title: str, body: str = "", url: str = "", dedupe_key: str) -> int:
    """Notify each user once per `dedupe_key` (a repeat of the same event is ignored). Returns how many are new."""
    rows = [
        Notification(user=u, kind=kind, title=title[:200], body=body, url=url, dedupe_key=dedupe_key) for u in users
    ]
    if not rows:
        return 0
    # Counted per (user, dedupe_key), the unique index's own key: by dedupe_key alone it was a scan of every
    # notification ever sent, once per escalation (docs/performance.md).
    mine = Notification.objects.filter(user_id__in=[row.user_id for row in rows], dedupe_key=dedupe_key)
    before = mine.count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return mine.count() - before


@dataclass(frozen=True)
class Notice:
    """One event to tell `users` of, for notify_many: the arguments of notify, as a value."""

    users: Sequence[User]
    kind: str
    title: str
    dedupe_key: str
    body: str = ""
    url: str = ""


def notify_many(*, notices: Iterable[Notice]) -> None:
    """notify for many events at once (one conversation's issues, a sweep's escalations): one INSERT for every
    row, each user still told once per `dedupe_key` (the unique index ignores a repeat). It counts nothing: the
    two counts notify makes to say how many are new would be two more statements per event."""
    rows = [
        Notification(user=u, kind=n.kind, title=n.title[:200], body=n.body, url=n.url, dedupe_key=n.dedupe_key)
        for n in notices
        for u in n.users
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=NOTIFY_BATCH)


def mark_notifications_read(*, user: User, now: datetime, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now)


def send_notification_digest(*, user_id: int, now: datetime) -> int:
    """Email one digest of a user's unsent notifications.

    Rows are claimed (locked with SKIP LOCKED, marked sent) and committed before the email goes out, so two
    workers or a retry never send the same notification twice; a crash in between loses one email, never the
    in-app notification.
    """
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user_id=user_id, emailed_at__isnull=True)
            .order_by("created_at")[:100]
        )
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    if not pending:
        return 0
    user = User.objects.get(pk=user_id)
    lines = [f"- {n.title}\n  {n.body[:300]}".rstrip() for n in pending]
    send_mail(
        subject=f"Connectivity: {len(pending)} new item{'s' if len(pending) != 1 else ''} for you",
        message="\n\n".join(lines),
        from_email=None,
        recipient_list=[user.email],
    )
    return len(pending)
