from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from organization.models import ApiClient


class PerClientRateThrottle(SimpleRateThrottle):
    """One budget per API client, per user, or per address for anonymous calls (rate: API_THROTTLE_RATE)."""

    scope = "client"

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiClient):
            ident = f"client:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
