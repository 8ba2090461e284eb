"""What every API view that changes a record shares: who is acting, and which version they edited.

Updates carry the version the caller edited, as `"version"` in the body or an `If-Match: "<version>"` header
(both may be sent, but must agree). A stale one is a 412 (raised by each view with its own wording), a missing one
a 428, so concurrent edits are never silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.versions import StaleVersion

_VERSION_TAG = re.compile(r'"(\d{1,9})"|(\d{1,9})')


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record was changed since the version you sent."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = 'Send the version you edited: "version" in the body or an If-Match: "<version>" header.'
    default_code = "precondition_required"


def version_field(*, optional: bool = False) -> serializers.IntegerField:
    """The body's `version`: the one the caller edited; where a check is optional (a status change), the one
    they saw. Either way the `If-Match` header may carry it instead."""
    if optional:
        text = 'The version you saw; or send it as an `If-Match: "<version>"` header. Optional here.'
    else:
        text = 'The version you edited; or send it as an `If-Match: "<version>"` header instead.'
    return serializers.IntegerField(min_value=1, required=False, help_text=text)


def expected_version(request: Request, body_version: int | None) -> int | None:
    """The version the caller edited, from `If-Match` or the body (both may be sent, but must then agree)."""
    header = request.headers.get("If-Match")
    if header is None:
        return body_version
    match = _VERSION_TAG.fullmatch(header.strip())
    if match is None:
        raise exceptions.ValidationError({"If-Match": ['Send the version you edited as If-Match: "<version>".']})
    header_version = int(match.group(1) or match.group(2))
    if body_version is not None and body_version != header_version:
        raise exceptions.ValidationError({"version": ["The body and the If-Match header name different versions."]})
    return header_version


@contextmanager
def service_errors() -> Iterator[None]:
    """The services' refusals, with their reasons, as API errors (their ValidationErrors are 400s already)."""
    try:
        yield
    except DjangoPermissionDenied as denied:
        raise exceptions.PermissionDenied(str(denied) or None) from None
    except StaleVersion as stale:
        raise PreconditionFailed(str(stale)) from None


def versioned_response(data: Any, *, version: int, location: str | None = None) -> Response:
    """A record as the API returns it: its version as the ETag; 201 with a Location when it was just created."""
    headers = {"ETag": f'"{version}"'}
    if location is not None:
        headers["Location"] = location
    return Response(data, status=status.HTTP_201_CREATED if location else status.HTTP_200_OK, headers=headers)
