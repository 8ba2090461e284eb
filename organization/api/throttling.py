from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from kernel import caching
from organization.models import ApiClient

logger = logging.getLogger(__name__)


class PerClientRateThrottle(SimpleRateThrottle):
    """One budget per API client, per user, or per address for anonymous calls (rate: API_THROTTLE_RATE)."""

    scope = "client"

    def get_rate(self) -> str | None:
        # Read at request time (DRF binds the rates at import), so a changed setting takes effect at once.
        rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        return None if rate is None else str(rate)

    def allow_request(self, request: Request, view: Any) -> bool:
        """A fixed window per caller that opens with its first call: one cache round trip a request
        (kernel.caching.count_in_window), where DRF's sliding history reads and writes a list. Budgets live in the
        cache (Redis in production). While it is down, let requests through rather than fail every API call with a
        500: the throttle guards capacity, and an outage is no time to refuse work."""
        allowed, seconds = self.parse_rate(self.rate)
        if allowed is None or seconds is None:
            return True
        self.key = self.get_cache_key(request, view)
        try:
            count, left = caching.count_in_window(self.key, seconds)
        except (RedisError, OSError) as exc:
            logger.warning("Throttle cache unavailable, request allowed unthrottled: %s", exc)
            return True
        self.retry_after = float(left)  # when the window closes: the Retry-After of a refusal
        return count <= allowed

    def wait(self) -> float | None:
        return self.retry_after

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiClient):
            ident = f"client:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
