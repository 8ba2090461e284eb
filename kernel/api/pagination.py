import binascii
import re
from base64 import b64decode
from datetime import UTC
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from rest_framework import exceptions, pagination

from kernel.forms import beyond_64_bits


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
        self._model = queryset.model  # decode_cursor checks the position against the ordering's field
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, ValidationError, OverflowError):
            # A forged or stale cursor holds a position of the wrong type (a date where a rank was): not found,
            # never a 500.
            raise exceptions.NotFound(self.invalid_cursor_message) from None

    def decode_cursor(self, request: Any) -> pagination.Cursor | None:
        """Only a cursor this API wrote is one: anything else (not strict base64, blank, a position no row of
        this list can hold) is a 404 "Invalid cursor", as docs/security.md promises, before any query runs."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None:
            try:
                if not b64decode(encoded.encode("ascii"), validate=True):
                    raise ValueError("blank")
            except (binascii.Error, UnicodeEncodeError, ValueError):
                raise exceptions.NotFound(self.invalid_cursor_message) from None
        cursor: pagination.Cursor | None = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        return cursor._replace(position=self._checked_position(cursor.position))

    def _checked_position(self, position: Any) -> Any:
        """The position as the ordering's first field holds it. A whole number beyond 64 bits, or a date-time
        that does not exist in UTC (0001-01-01 in Amsterdam, -23:59 offsets) is refused here; a date-time is
        sent to the database in UTC, where PostgreSQL takes any (it refuses offsets beyond ±15:59)."""
        try:
            field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        except FieldDoesNotExist:  # an annotation: its type is the database's business
            return position
        try:
            if isinstance(field, models.IntegerField | models.ForeignKey):
                if beyond_64_bits(position):
                    raise ValueError(position)
                return position
            if isinstance(field, models.DateTimeField):
                moment = field.to_python(position)
                if moment is not None and timezone.is_naive(moment):
                    moment = timezone.make_aware(moment)
                return None if moment is None else moment.astimezone(UTC).isoformat()
        except (ValidationError, ValueError, OverflowError):
            raise exceptions.NotFound(self.invalid_cursor_message) from None
        return position
