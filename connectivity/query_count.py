"""`X-Query-Count`: how many SQL statements a request ran, for the benchmark (`make bench`, docs/performance.md).

Off unless the process runs with `QUERY_COUNT_HEADER=true`, and listed only in the bench's settings
(`bench/settings.py`), never in production: a header counting queries tells an outsider about our internals.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import HttpRequest, HttpResponse

HEADER = "X-Query-Count"


def enabled() -> bool:
    return os.environ.get("QUERY_COUNT_HEADER", "").lower() == "true"


class QueryCountHeaderMiddleware:
    """Counts every statement (session, auth, view, template) when placed first in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counting(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counting))
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
