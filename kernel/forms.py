"""Form fields for ids people (or hand-made addresses) send: an id beyond 64 bits names no record, and must
never reach the database, where it is an OverflowError (SQLite) or a DataError (PostgreSQL): a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

MAX_ID = 2**63 - 1  # the largest BigAutoField value, on PostgreSQL and SQLite alike


def beyond_64_bits(value: Any) -> bool:
    """Whether `value` reads as a whole number no 64-bit integer column can hold."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    return not -MAX_ID - 1 <= number <= MAX_ID


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Django's, refusing an id beyond 64 bits as an invalid choice: Django checks each id with `pk=` (which
    knows the column's range) but then fetches them all with `pk__in=` (which does not)."""

    def _check_values(self, value: Any) -> Any:
        model = getattr(self.queryset, "model", None)
        key_field = model._meta.pk if model is not None and self.to_field_name is None else None
        if isinstance(key_field, models.IntegerField) and isinstance(value, list | tuple):
            for item in value:
                if beyond_64_bits(item):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                    )
        return super()._check_values(value)  # type: ignore[misc]
