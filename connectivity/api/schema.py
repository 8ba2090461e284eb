"""Schema post-processing: every operation documents the error body it can answer with."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail", "errors"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
ERRORS = {
    "400": "Invalid input; `errors` names each field.",
    "401": "No credentials, or invalid ones.",
    "403": "Authenticated, but not allowed (scope or role).",
    "404": "Not found, or not visible to you.",
    "429": "Rate limit exceeded; retry after the `Retry-After` header.",
}
WRITE_ONLY = {"400"}


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                if code in WRITE_ONLY and method == "get" and "{" not in path and not operation.get("parameters"):
                    continue
                if code == "404" and "{" not in path:
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
