"""The API's filter backend: django-filter, refusing blank values it would otherwise quietly ignore."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request

from kernel.forms import beyond_64_bits

# What every list understands besides its filters: the cursor pagination's and the ordering some lists take.
LIST_PARAMETERS = frozenset({"cursor", "page_size", "ordering"})
PAGING_PARAMETERS = frozenset({"cursor", "page_size"})  # no filter among them: django-filter need not run


def refuse_unknown_parameters(request: Request, known: set[str] | frozenset[str]) -> None:
    """`?colour=red` (or a misspelt `?teir=key`) would be ignored and look like a filtered answer: a 400 naming it."""
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        listed = ", ".join(sorted(known))
        raise exceptions.ValidationError(
            {name: [f"Unknown parameter. This endpoint takes: {listed}."] for name in unknown}
        )


class StrictFilterBackend(DjangoFilterBackend):  # type: ignore[misc]
    """`?updated_since=` (blank) would filter nothing and look like success; the schema says it is a date-time.

    A blank value for any filter that is not free text (a date, a number, a boolean, a choice) is a 400 naming
    the parameter, and so is a boolean that is not `true` or `false`, and so is a parameter the list does not
    know. Free-text filters (`q`, `region`) still accept a blank value: it matches everything.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_unknown_parameters(request, LIST_PARAMETERS | set(filterset_class.base_filters))
            errors: dict[str, list[str]] = {}
            for name, field in filterset_class.base_filters.items():
                values = request.query_params.getlist(name)
                if not isinstance(field, django_filters.CharFilter) and "" in values:
                    errors[name] = ["Leave this parameter out rather than sending it empty."]
                elif isinstance(field, django_filters.BooleanFilter) and not set(values) <= {"true", "false"}:
                    errors[name] = ["Send true or false."]  # django-filter would read anything else as "either"
                elif _is_integer(filterset_class, field) and not all(_INTEGER.fullmatch(v) for v in values):
                    errors[name] = ["Send a whole number."]  # not 0.5, which matches nothing and looks like success
            if errors:
                raise exceptions.ValidationError(errors)
        if not set(request.query_params) - PAGING_PARAMETERS:
            # No filter sent (most calls: a system paging through a list): building the FilterSet and its form
            # for nothing was 7% of a list's time, and every filter would let the rows through anyway.
            return queryset
        filtered: QuerySet[Any] = super().filter_queryset(request, queryset, view)
        return filtered

    def get_filterset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        for form_field in [] if filterset is None else filterset.form.fields.values():
            if isinstance(form_field, forms.DateTimeField):
                form_field.to_python = _in_utc(form_field.to_python)  # type: ignore[method-assign,assignment]
        return filterset


_INTEGER = re.compile(r"-?[0-9]{1,18}")


def _is_integer(filterset_class: Any, field: Any) -> bool:
    if not isinstance(field, django_filters.NumberFilter):
        return False
    try:
        model_field = filterset_class._meta.model._meta.get_field(field.field_name)
    except (AttributeError, FieldDoesNotExist):
        return False
    return isinstance(model_field, models.IntegerField | models.AutoField | models.ForeignKey)


def _in_utc(to_python: Callable[[Any], datetime | None]) -> Callable[[Any], datetime | None]:
    """PostgreSQL refuses UTC offsets beyond ±15:59 (a 500); Python parses up to ±23:59. In UTC, every one fits."""

    def convert(value: Any) -> datetime | None:
        parsed = to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Enter a date and time between the years 1 and 9999.") from None

    return convert


class UtcIsoDateTimeField(IsoDateTimeField):  # type: ignore[misc]
    def to_python(self, value: Any) -> datetime | None:
        return _in_utc(super().to_python)(value)


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):  # type: ignore[misc]
    """An ISO 8601 date-time filter that pages share with the API: its value reaches the database in UTC, and one
    with no UTC equivalent (0001-01-01 in Amsterdam, 9999-12-31T23:59-23:59) is invalid rather than a 500."""

    field_class = UtcIsoDateTimeField


class IdFilter(django_filters.NumberFilter):  # type: ignore[misc]
    """An id in a page's query string (`?account=`): one beyond 64 bits is no record's, so it matches nothing,
    as an unknown id does, instead of overflowing the database's integer (a 500)."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value is not None and beyond_64_bits(int(value)):
            return qs.none()
        filtered: QuerySet[Any] = super().filter(qs, value)
        return filtered
