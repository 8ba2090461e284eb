import re
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import exceptions, pagination


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pagination for every list: new rows never shift a page an integration is walking."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_ordering(self, request, queryset, view):  # type: ignore[no-untyped-def]
        """A view may name its own stable ordering as `cursor_ordering` (it must end in a unique field)."""
        ordering = getattr(view, "cursor_ordering", None)
        if ordering:
            return tuple(ordering)
        return super().get_ordering(request, queryset, view)

    def get_page_size(self, request: Any) -> int:
        """`page_size` from 1 to max_page_size; anything else is a 400 that says so (never silently ignored)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"Send a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, ValidationError):
            # A forged or stale cursor holds a position of the wrong type (a date where a rank was): not found,
            # never a 500.
            raise exceptions.NotFound("Invalid cursor.") from None
