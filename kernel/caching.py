"""Django's cache as an accelerator that may fail: Redis down must slow a request, never fail it.

What the app keeps in the cache (a token's client, the tier rules, a debounce mark) can always be read from the
database or done without. These helpers log a warning and answer as an empty cache would when the cache server is
unreachable, as the API throttle does (organization.api.throttling): the request goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisError, OSError)


def get(key: str) -> Any:
    """The cached value, or None when there is none or the cache is unreachable."""
    try:
        return cache.get(key)
    except UNAVAILABLE as exc:
        logger.warning("Cache unavailable, reading %s from its source: %s", key, exc)
        return None


def add(key: str, value: Any, timeout: float, *, unavailable: bool = False) -> bool:
    """Store unless the key is there: True when stored, False when it was there, `unavailable` when the cache is
    unreachable (a debounce that must still act says True)."""
    try:
        return bool(cache.add(key, value, timeout))
    except UNAVAILABLE as exc:
        logger.warning("Cache unavailable, %s not stored: %s", key, exc)
        return unavailable


def set(key: str, value: Any, timeout: float) -> None:
    try:
        cache.set(key, value, timeout)
    except UNAVAILABLE as exc:
        logger.warning("Cache unavailable, %s not stored: %s", key, exc)


def delete(key: str) -> None:
    try:
        cache.delete(key)
    except UNAVAILABLE as exc:
        logger.warning("Cache unavailable, %s not deleted: %s", key, exc)


def count_in_window(key: str, seconds: int) -> tuple[int, int]:
    """Count one more event under `key` in a window of `seconds` that opens with its first event: the count so far
    and the seconds left in the window. One round trip on Redis (SET NX EX, INCR, TTL, pipelined); add then incr
    on other caches (which cannot say how long is left: the whole window then). Raises when the cache is
    unreachable: the caller decides what that means."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        pipe = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)  # type: ignore[attr-defined]
        pipe.set(full_key, 0, ex=seconds, nx=True)
        pipe.incr(full_key)
        pipe.ttl(full_key)
        _, count, left = pipe.execute()
        return int(count), max(int(left), 1)
    backend.add(key, 0, seconds)
    return int(backend.incr(key)), seconds
