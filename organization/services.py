from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.text import slugify

from organization.models import ApiClient, Department, User

# Recording every request would turn each API read into a write; a minute's resolution is plenty for "last used".
LAST_USED_RESOLUTION = timedelta(minutes=1)


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
    prefix, token = _new_token()
    ApiClient.objects.filter(pk=client.pk).update(token_prefix=prefix, token_hash=ApiClient.hash_token(token))
    client.refresh_from_db()
    return token


def mark_api_client_used(*, client: ApiClient, now: datetime) -> None:
    """Move `last_used_at` forward, at most once per LAST_USED_RESOLUTION (a conditional UPDATE, no read)."""
    if client.last_used_at and now - client.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiClient.objects.filter(pk=client.pk).exclude(last_used_at__gt=now - LAST_USED_RESOLUTION).update(last_used_at=now)
    client.last_used_at = now
