from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet

from kernel import caching
from organization.models import ApiClient, Department


def departments_with_counts() -> QuerySet[Department]:
    return Department.objects.select_related("lead").annotate(member_count=Count("members", distinct=True))


# Every API call presents its token: organization.api.authentication keeps the client it found for this long, in
# Django's cache (Redis in production, shared by every process), under the token's SHA-256 digest.
API_CLIENT_CACHE_SECONDS = 60
_CHANGED = "changed"  # a tombstone: the client changed, read it from the database until the entry expires


def api_client_cache_key(*, token_hash: str) -> str:
    return f"organization:api-client:{token_hash}"


def forget_api_client_token(*, token_hash: str) -> None:
    """Stop serving a token's client from the cache, at once and in every process: a revoked token, or one whose
    client's scopes or department changed, is read from the database again on the next call.

    A tombstone rather than a delete: a request that read the client before the change cannot put it back, since
    the cache is filled with `cache.add`. Set now (this transaction) and again after commit (for the minute after).
    """
    key = api_client_cache_key(token_hash=token_hash)
    caching.set(key, _CHANGED, API_CLIENT_CACHE_SECONDS)
    transaction.on_commit(lambda: caching.set(key, _CHANGED, API_CLIENT_CACHE_SECONDS))


def forget_saved_api_client(*, instance: ApiClient, created: bool = False, **_signal: Any) -> None:
    """post_save / post_delete of an ApiClient (connected in organization.apps): a new client was never cached."""
    if not created:
        forget_api_client_token(token_hash=instance.token_hash)


def api_client_for_token(*, token: str) -> ApiClient | None:
    """The active client whose token this is, or None. Looks up by the public prefix, compares the digest."""
    parts = token.split("_", 2)  # the secret part may itself contain "_"
    if len(parts) != 3 or parts[0] != ApiClient.TOKEN_PREFIX:
        return None
    client = ApiClient.objects.select_related("department").filter(token_prefix=parts[1], is_active=True).first()
    if client is None or not client.token_matches(token):
        return None
    return client
