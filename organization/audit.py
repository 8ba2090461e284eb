"""The audit log: who logged in, who failed to, who was locked out or refused, what was exported, which API
tokens were used. `record()` is the one way to write it; the signal receivers at the bottom feed it from
Django's authentication signals and django-axes.

Call it from any app (organization is the bottom of the dependency chain):

    from organization import audit
    audit.record(kind=audit.Kind.EXPORT, request=request, detail={"what": "accounts", "rows": n})

A request gives the actor (a person, or an API client's token), the path and the address; pass `user`,
`api_client` or `path` to name them yourself (a task has no request). API token use is recorded once per
client per hour (organization.services.mark_api_client_used claims it), not per request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from axes.signals import user_locked_out  # type: ignore[import-untyped]
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from organization.models import ApiClient, AuditEvent, User

Kind = AuditEvent.Kind

MAX_DETAIL_STRING = 500


def record(
    *,
    kind: str,
    request: HttpRequest | Any | None = None,
    user: User | None = None,
    api_client: ApiClient | None = None,
    path: str | None = None,
    detail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Write one audit row. `request` (a Django or DRF request) supplies whatever is not given explicitly."""
    if request is not None:
        if user is None and api_client is None:
            user, api_client = _actor(request)
        if path is None:
            path = request.get_full_path()
    return AuditEvent.objects.create(
        created_at=now or timezone.now(),
        kind=kind,
        user=user,
        api_client=api_client,
        path=(path or "")[:500],
        ip=client_ip(request) if request is not None else None,
        detail={key: _short(value) for key, value in (detail or {}).items()},
    )


def client_ip(request: Any) -> str | None:
    """The peer's address as the WSGI server saw it (gunicorn behind the proxy: configure it to pass the real one)."""
    raw = str(request.META.get("REMOTE_ADDR", "") or "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _actor(request: Any) -> tuple[User | None, ApiClient | None]:
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiClient):
        return None, auth
    user = getattr(request, "user", None)
    return (user if isinstance(user, User) else None), None


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_DETAIL_STRING:
        return value[:MAX_DETAIL_STRING] + "…"
    return value


@receiver(user_logged_in, dispatch_uid="audit-login")
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:  # a test's force_login, or a login outside a request: nothing to audit
        return
    record(kind=Kind.LOGIN, request=request, user=user if isinstance(user, User) else None)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _on_login_failed(
    sender: Any, credentials: Mapping[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    # Django already masks the password in `credentials`; only the name tried is kept.
    username = str(credentials.get("username") or credentials.get("email") or "")
    record(kind=Kind.LOGIN_FAILED, request=request, path=None if request else "", detail={"username": username})


@receiver(user_locked_out, dispatch_uid="audit-lockout")
def _on_lockout(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    record(kind=Kind.LOCKOUT, request=request, path=None if request else "", detail={"username": username or ""})
