from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from kernel import caching
from organization import audit, selectors, services
from organization.models import ApiClient, User


class ApiClientPrincipal:
    """What `request.user` is for a call made by an internal system: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_executive = False
    is_admin = False
    pk = None
    id = None

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def __str__(self) -> str:
        return f"api client {self.client.name}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


class ApiClientTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` for internal systems; absent header falls through to session auth."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiClientPrincipal, ApiClient] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: expected 'Bearer <token>'.")
        try:
            token = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        key = selectors.api_client_cache_key(token_hash=ApiClient.hash_token(token))
        client = caching.get(key)
        if isinstance(client, ApiClient):  # looked up less than a minute ago, and unchanged since
            return ApiClientPrincipal(client), client
        client = selectors.api_client_for_token(token=token)
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # Marked only on a cache miss, with the timestamps just read: `last_used_at` moves once a minute, the
        # hourly audit row is claimed as before, and no call in between writes anything.
        now = timezone.now()
        if services.mark_api_client_used(client=client, now=now):  # the first use this hour
            audit.record(kind=audit.Kind.API_TOKEN_USE, request=request, api_client=client, now=now)
        # Refused while a change to the client is in flight (selectors.forget_api_client_token's tombstone).
        caching.add(key, client, selectors.API_CLIENT_CACHE_SECONDS)
        return ApiClientPrincipal(client), client

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


def person(request: Request) -> User | None:
    """The person behind a request, or None for an API client (the services then record no person)."""
    if isinstance(request.auth, ApiClient):
        return None
    return cast(User, request.user)


def require_person(request: Request, message: str) -> User:
    """Some acts are a person's (acknowledging, resolving): an API client gets 403 with `message`."""
    acting = person(request)
    if acting is None:
        raise exceptions.PermissionDenied(message)
    return acting
