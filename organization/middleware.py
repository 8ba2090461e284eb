"""Writes a `permission_denied` audit row for every 403 a page or the API answers (CSRF refusals included)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from organization import audit


class AuditPermissionDeniedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 403:
            # DRF copies the authenticated principal (a person or an API client) onto the Django request.
            audit.record(kind=audit.Kind.PERMISSION_DENIED, request=request, detail={"method": request.method})
        return response
