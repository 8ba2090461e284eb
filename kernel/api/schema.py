"""Schema post-processing: every operation documents the error body it can answer with."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

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
MAX_PAGE_SIZE = 200  # kernel.api.pagination.CursorPagination.max_page_size


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "page_size" and parameter.get("in") == "query":
                    # kernel.api.pagination refuses anything else with a 400
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
            extra = {}
            if "cursor" in names:
                extra["404"] = "The cursor is not one this list gave out (forged, or from another ordering)."
            if "Idempotency-Key" in names:
                extra["409"] = "A request with the same Idempotency-Key is still in progress: retry shortly."
                extra["422"] = "The Idempotency-Key was already used for another request (another body or endpoint)."
            for code, description in extra.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
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


# Pieces the API views share when they document themselves.
ERROR_BODY = {"$ref": "#/components/schemas/Error"}
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The version you edited, as the ETag gave it (`"3"`). Alternatively send `version` in the body.',
)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ERROR_BODY, description=description)


def etag_header(noun: str) -> OpenApiParameter:
    """The `ETag` response header holding a record's version."""
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 201],
        description=f'The {noun}\'s version, quoted (`"3"`): send it back as `If-Match` to update it.',
    )


IDEMPOTENCY_RESPONSES = {
    409: error_response("A request with the same Idempotency-Key is still in progress: retry shortly."),
    422: error_response("The Idempotency-Key was already used for another request (another body or endpoint)."),
}
MISSING_VERSION_RESPONSE = {
    428: error_response('No version: send `version` in the body or an `If-Match: "<version>"` header.')
}
