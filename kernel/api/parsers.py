"""The API's JSON parser: DRF's, refusing what no field can hold before any view, serializer or hash sees it.

- Nesting deeper than MAX_DEPTH (the API's bodies are three levels deep at most): Python's decoder recurses once
  per level and raises RecursionError near 1,000 levels, a 500; anything deeper than MAX_DEPTH, and whatever
  still trips the decoder's recursion limit, is a 400 saying so.
- A lone surrogate (`"\\ud800"` is valid JSON but no Unicode text): it cannot be encoded as UTF-8, so it broke
  hashing the body for an Idempotency-Key, comparing it with stored rows and writing it to PostgreSQL. It is a
  400 naming the field that holds it (`issues.0.verbatim`), wherever it is: a value, a list item or a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import exceptions, parsers

MAX_DEPTH = 32
_SURROGATE_MESSAGE = "Send text without lone surrogates (\\ud800–\\udfff alone is not a character)."


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        _check(data)
        return data


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")


def _check(data: Any) -> None:
    """Walk the parsed body without recursion: refuse nesting beyond MAX_DEPTH and lone surrogates, by path."""
    pending: list[tuple[str, Any, int]] = [("", data, 0)]
    while pending:
        path, value, depth = pending.pop()
        if isinstance(value, str):
            if _has_surrogate(value):
                raise exceptions.ValidationError({path or "non_field_errors": [_SURROGATE_MESSAGE]})
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise _too_deep()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            name = _printable(str(key))
            child = f"{path}.{name}" if path else name
            if isinstance(key, str) and _has_surrogate(key):
                raise exceptions.ValidationError({child: [_SURROGATE_MESSAGE]})
            pending.append((child, item, depth + 1))


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(name: str) -> str:
    """A key as the error names it: a lone surrogate in it is written as its escape, which JSON can carry."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")
