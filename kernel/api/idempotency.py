"""Idempotency keys for the API's POSTs: a request retried with the same key runs once and gets the same answer.

A client that may retry a POST (a timeout, a dropped connection) sends `Idempotency-Key: <a unique string>`,
at most 200 visible ASCII characters. Keys belong to their principal (an API client, `client:<id>`, or a person,
`user:<id>`): two clients may use the same string without meeting.

- No header: the handler runs as it always did.
- A key the principal used in the last 24 hours (KEY_TTL) for the same method, path and body (compared by the
  SHA-256 of its canonical JSON): the stored response comes back (same status, body, `Location` and `ETag`)
  with `Idempotent-Replayed: true`, and nothing runs.
- The same key with another body, or for another endpoint: 422, and nothing runs.
- A new key: the key row is inserted first, then the handler runs, then its response is stored on that row,
  all in one transaction. 2xx and 4xx responses are stored, except 400, 409 and 429; for those, for 5xx and for
  unexpected exceptions everything rolls back, the key included, so a retry runs afresh. A 400 (the body failed
  validation) changed nothing, so its key stays free for the corrected body, as Stripe does; 409 and 429 ask for
  a retry. A body the parser refuses (malformed, too deep, a lone surrogate) is a 400 before any key is claimed.

Two concurrent requests with one key cannot both run: the first to insert the key holds it until it commits, and
the second's insert waits for it (on the unique index in PostgreSQL, on the write lock in SQLite, whose
transactions are immediate). It then fails, and the second request replays the first one's stored response. A
key row without a response is never committed that way, but should one be seen, the answer is a 409 (retry).

Expired keys are ignored and replaced when reused; `delete_expired_idempotency_keys` removes them for good.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import encoders
from rest_framework.views import APIView

from kernel.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 200
# Response headers a replay repeats: where the created thing is, and its version.
REPLAYED_RESPONSE_HEADERS = ("Location", "ETag")
# Responses that are not kept, so the key may be sent again: a body that failed validation (to be corrected and
# sent with the same key) and answers that say "try again".
UNSTORED_STATUSES = frozenset(
    {status.HTTP_400_BAD_REQUEST, status.HTTP_409_CONFLICT, status.HTTP_429_TOO_MANY_REQUESTS}
)

_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique string (up to 200 visible ASCII characters) that makes this POST safe to retry for 24 hours: "
        "a retry with the same key and body gets the first response again (with `Idempotent-Replayed: true`) "
        "and changes nothing; the same key with another body is a 422; a key whose first request is still "
        "running is a 409. A request refused with a 400 (invalid fields) does not use up its key: send the "
        "corrected body with the same key. Keys are per API client or user."
    ),
)
REPLAYED_PARAMETER = OpenApiParameter(
    REPLAYED_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=True,
    enum=["true"],
    description="Present when this is the stored response to an earlier request with the same Idempotency-Key.",
)

_View = TypeVar("_View", bound=APIView)
_P = ParamSpec("_P")
Handler = Callable[Concatenate[_View, Request, _P], Response]


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used for another request; use a new key for a new request."
    default_code = "idempotency_key_reused"


class KeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is in progress; retry shortly."
    default_code = "idempotency_key_in_progress"


class _KeyTaken(Exception):
    """Another request inserted the key first (and has committed, or rolled back, by now)."""


def idempotent(handler: Handler[_View, _P]) -> Handler[_View, _P]:
    """Make a DRF POST handler honour `Idempotency-Key` (see the module docstring), and document the header."""

    @functools.wraps(handler)
    def post(view: _View, request: Request, *args: _P.args, **kwargs: _P.kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            raise exceptions.ValidationError({HEADER: [f"Send 1 to {MAX_KEY_LENGTH} visible ASCII characters."]})
        attempt = _Attempt(principal=_principal(request), key=key, method=request.method or "", path=request.path)
        request_hash = _hash_body(request.data)
        now = timezone.now()
        stored = _stored(attempt, now=now)
        if stored is not None:
            return _replay(stored, attempt, request_hash)
        try:
            with transaction.atomic():
                record = _claim(attempt, request_hash, now=now)
                response = _run(view, lambda: handler(view, request, *args, **kwargs))
                if _storable(response.status_code):
                    _store(record, response)
                else:
                    transaction.set_rollback(True)  # the key too: a retry must run again
                return response
        except _KeyTaken:
            pass
        stored = _stored(attempt, now=now)
        if stored is None:  # gone again (expired and removed): let the client retry
            raise KeyInProgress()
        return _replay(stored, attempt, request_hash)

    # Copy the handler's schema annotations rather than share them, then add the header to this operation.
    post.kwargs = dict(getattr(handler, "kwargs", {}))  # type: ignore[attr-defined]
    return cast(Handler[_View, _P], extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER, REPLAYED_PARAMETER])(post))


def delete_expired_idempotency_keys(*, now: datetime) -> int:
    """Remove keys older than KEY_TTL (they are already ignored); returns how many. Run it daily or so."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=now - KEY_TTL).delete()
    return deleted


@dataclass(frozen=True)
class _Attempt:
    """Who sent which key to which endpoint."""

    principal: str
    key: str
    method: str
    path: str


def _principal(request: Request) -> str:
    """`user:<id>` for a person; `client:<id>` for an API client, whose principal has no pk (its token does)."""
    user_pk = getattr(request.user, "pk", None)
    if user_pk is not None:
        return f"user:{user_pk}"
    client_pk = getattr(request.auth, "pk", None)
    if client_pk is not None:
        return f"client:{client_pk}"
    raise exceptions.NotAuthenticated()


def _hash_body(data: Any) -> str:
    if isinstance(data, QueryDict):
        data = {name: data.getlist(name) for name in data}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=encoders.JSONEncoder)
    # The parser refuses lone surrogates; should one arrive another way, it hashes instead of failing (a 500).
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _stored(attempt: _Attempt, *, now: datetime) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(
        principal=attempt.principal, key=attempt.key, created_at__gte=now - KEY_TTL
    ).first()


def _replay(stored: IdempotencyKey, attempt: _Attempt, request_hash: str) -> Response:
    if (stored.method, stored.path, stored.request_hash) != (attempt.method, attempt.path, request_hash):
        raise KeyReused()
    if stored.response_status is None:
        raise KeyInProgress()
    headers = {**stored.response_headers, REPLAYED_HEADER: "true"}
    return Response(stored.response_body, status=stored.response_status, headers=headers)


def _claim(attempt: _Attempt, request_hash: str, *, now: datetime) -> IdempotencyKey:
    """Insert the key row; the unique constraint makes a concurrent request with the same key wait, then fail."""
    IdempotencyKey.objects.filter(
        principal=attempt.principal, key=attempt.key, created_at__lt=now - KEY_TTL
    ).delete()  # an expired key may be used again
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                principal=attempt.principal,
                key=attempt.key,
                method=attempt.method,
                path=attempt.path,
                request_hash=request_hash,
            )
    except IntegrityError:
        raise _KeyTaken() from None


def _run(view: APIView, call: Callable[[], Response]) -> Response:
    """The handler's response; an API error becomes its error response here (not in dispatch), so it is stored.

    The handler's writes run in a savepoint: when it fails, they are undone and only the key and answer remain.
    Unexpected exceptions propagate (a 500) and roll back the key with everything else.
    """
    try:
        with transaction.atomic():
            response = call()
    except Exception as exc:
        response = view.handle_exception(exc)  # re-raises what the API's exception handler does not answer
    if not isinstance(response, Response):
        raise TypeError(f"{type(view).__name__} must return a DRF Response to be idempotent.")
    return response


def _storable(status_code: int) -> bool:
    return 200 <= status_code < 300 or (400 <= status_code < 500 and status_code not in UNSTORED_STATUSES)


def _store(record: IdempotencyKey, response: Response) -> None:
    record.response_status = response.status_code
    # Through DRF's encoder, as the renderer would: dates, decimals and lazy strings become plain JSON.
    record.response_body = json.loads(json.dumps(response.data, cls=encoders.JSONEncoder))
    record.response_headers = {name: response[name] for name in REPLAYED_RESPONSE_HEADERS if response.has_header(name)}
    record.save(update_fields=["response_status", "response_body", "response_headers"])
