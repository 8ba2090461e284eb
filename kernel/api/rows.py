"""Lean API rows: list and detail bodies built from `.values()` rows and written with orjson.

The serializers stay the API's contract (the schema is generated from them, and tests/test_api_lean_rows.py
renders them beside these rows): a view that answers with lean rows builds, from plain values, exactly the
primitives its serializer would have produced, and JSONRenderer writes them byte for byte as DRF's renderer does.
Building model instances and walking a serializer's fields for every value was most of a list's time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from rest_framework import renderers, serializers

from kernel.api.fields import DateTimeField

_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()
_MINUTE = timedelta(minutes=1)
_SMALLEST_PLAIN_FLOAT = 1e-4  # below it Python writes `1e-05`, orjson `0.00001`
_READS = frozenset({"GET", "HEAD"})
_LONG_DIGITS = re.compile(r"[0-9]{19}")  # an integer of at most 18 digits fits in 64 bits


class JSONRenderer(renderers.JSONRenderer):
    """DRF's compact, non-ASCII JSON, byte for byte, written by orjson (several times faster).

    orjson writes strings, whole numbers, booleans and null as `json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))` does, except U+2028 and U+2029, which DRF escapes afterwards and so does this. Floats
    agree from 1e-4 up; a body holding a smaller one must pass it through `json_float`, as the lean rows do. So only
    the answers to reads are written by orjson: a write's answer comes from a serializer, floats unchecked, and
    goes through DRF's renderer, as does an indented body (`Accept: application/json; indent=2`) and any body
    holding what orjson would write differently from DRF's encoder (a date, a Decimal, a lazy string…).
    """

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if data is None:
            return b""
        request = (renderer_context or {}).get("request")
        if (request is not None and request.method not in _READS) or self.get_indent(
            accepted_media_type or "", dict(renderer_context or {})
        ) is not None:
            return bytes(super().render(data, accepted_media_type, renderer_context))
        try:
            body = orjson.dumps(data, default=_refuse, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except TypeError:  # orjson.JSONEncodeError: a type DRF's encoder writes its own way
            return bytes(super().render(data, accepted_media_type, renderer_context))
        if _LINE_SEPARATOR in body or _PARAGRAPH_SEPARATOR in body:
            body = body.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return body


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def json_float(value: Any) -> float | orjson.Fragment:
    """A FloatField's output, written as DRF writes it (`1e-05`, not orjson's `0.00001`)."""
    number = float(value)
    if number and abs(number) < _SMALLEST_PLAIN_FLOAT:
        return orjson.Fragment(json.dumps(number, allow_nan=False))
    return number


def datetime_writer() -> Callable[[datetime | None], str | None]:
    """What the API's DateTimeField writes for a value, with the time zone looked up once (per request or list)
    rather than once per value: local time, isoformat, `Z` for UTC, UTC when the local offset has seconds."""
    zone = timezone.get_current_timezone()
    field = DateTimeField(read_only=True)

    def write(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return str(field.to_representation(value))  # naive: DRF's own checks and errors
        try:
            local = value.astimezone(zone)
        except OverflowError:
            return str(field.to_representation(value))  # raises the same error DRF's field raises
        offset = local.utcoffset()
        if offset is not None and offset % _MINUTE:
            local = local.astimezone(UTC)
        text = local.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def decimal_writer(*, max_digits: int, decimal_places: int) -> Callable[[Decimal | None], str | None]:
    """What a model DecimalField's serializer field writes (a string, quantized as DRF quantizes it)."""
    field = serializers.DecimalField(max_digits=max_digits, decimal_places=decimal_places, read_only=True)

    def write(value: Decimal | None) -> str | None:
        return None if value is None else str(field.to_representation(value))

    return write


def date_text(value: Any) -> str | None:
    """A DateField's output: ISO 8601, or null."""
    return None if value is None else str(value.isoformat())


def json_column(name: str) -> Cast:
    """A JSONField's column read as its JSON text, for `json_value` to parse: Django parses each value with
    json.loads, a tenth of an account page's time; orjson reads the same text into the same objects."""
    return Cast(name, output_field=TextField())


def json_value(text: str | None) -> Any:
    """What Django's JSONField reads from a `json_column`: the parsed value, null as None, and text that is no
    JSON as it stands. orjson reads a whole number beyond 64 bits as a float, so text with 19 digits in a row goes
    to json.loads, as does what orjson refuses (an infinite float, an escaped lone surrogate)."""
    if text is None:
        return None
    if not _LONG_DIGITS.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def text_list(values: Any) -> list[str | None]:
    """A ListField of CharField's output (needs, wants)."""
    return [None if value is None else str(value) for value in values]
