"""While the database cannot be reached, answer 503 "try again shortly" instead of a 500 traceback.

A PostgreSQL restart or fail-over breaks the connections a process holds and refuses new ones for a few seconds.
A view that hits that gets a `django.db.OperationalError` (or `InterfaceError`: "connection already closed"); it
changed nothing, as its transaction could not commit, so the honest answer is 503 with `Retry-After`, in the API's
error shape for `/api/` and as a plain page otherwise. Nothing needs restarting afterwards: Django drops a broken
connection at the end of the request (and checks a reused one first, CONN_HEALTH_CHECKS), so the next request
connects afresh. Deadlocks and serialization failures are OperationalErrors too, and a retry is right for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable for a moment; nothing was changed. Try again in a few seconds."
PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Back in a moment · Connectivity</title></head>"
    f"<body><h1>Back in a moment</h1><p>{MESSAGE}</p></body></html>"
)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": MESSAGE, "errors": {}}, status=503, headers=headers)
        return HttpResponse(PAGE, status=503, headers=headers)
