"""The bare baseline: the API's list and detail bodies from hand-written SQL, served by a minimal WSGI callable.

No Django: one psycopg2 connection per gunicorn worker, the rows turned into the API's JSON (the same keys, nesting,
values and cursor envelope) and encoded with orjson. `make bench` runs it under the same gunicorn settings as the
application (2 sync workers on 127.0.0.1, the next port) and drives it with the same load client and the same
requests, so the ratio of an endpoint to it is what Django, DRF and our code cost above HTTP, SQL and JSON.

It serves only what the bench asks for, as the bench's API client sees it (every account but the confidential ones):
`GET /api/v1/accounts[?cursor=…]`, `GET /api/v1/accounts/<id>`, `GET /api/v1/issues?department=<id>`,
`GET /api/v1/survey-responses` (the first page), `/healthz`.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode
from zoneinfo import ZoneInfo

import orjson
import psycopg2

PAGE_SIZE = 50
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Amsterdam")  # connectivity.settings' default
TIER_NAMES = {1: "strategic", 2: "key", 3: "core", 4: "maintain"}  # accounts.api.serializers.TIER_NAMES

# The columns AccountSerializer shows, in its order (cadence_days, overdue and health_band follow from them).
ACCOUNT_API_COLUMNS = (
    "a.id, a.external_id, a.name, s.slug, a.industry, a.region, a.status, a.owner_id, u.full_name,"
    " a.executive_sponsor_id, a.is_confidential, a.rank, a.tier, a.score, a.last_contact_at, a.next_contact_due,"
    " a.needs, a.wants, a.health, a.health_signals, a.health_at_risk, a.version, a.created_at, a.updated_at"
)
ACCOUNT_FROM = (
    " FROM accounts_account a JOIN accounts_segment s ON s.id = a.segment_id"
    " JOIN organization_user u ON u.id = a.owner_id"
)
ACCOUNT_API_PAGE_SQL = (
    f"SELECT {ACCOUNT_API_COLUMNS}{ACCOUNT_FROM}"
    " WHERE NOT a.is_confidential AND a.rank > %s ORDER BY a.rank, a.id LIMIT %s"
)
ACCOUNT_API_DETAIL_SQL = (
    f"SELECT {ACCOUNT_API_COLUMNS}, ARRAY(SELECT c.id FROM accounts_customercontact c"  # noqa: S608 - constants only
    " WHERE c.account_id = a.id AND c.is_active ORDER BY c.influence DESC, c.name)"
    f"{ACCOUNT_FROM} WHERE NOT a.is_confidential AND a.id = %s"
)
CADENCE_SQL = "SELECT tier, cadence_days FROM accounts_tierrule"
# The columns IssueSerializer shows, in its order, with the pending hand-off (IssueHandoffSerializer) as JSON.
ISSUE_API_PAGE_SQL = (
    "SELECT i.id, i.contact_log_id, i.account_id, a.name, i.severity, i.department_id, d.name, i.verbatim,"
    " i.status, i.raised_by_id, r.full_name, i.raised_at, i.acknowledged_by_id, i.acknowledged_at, i.resolved_at,"
    " h.handoff, i.version, i.created_at, i.updated_at FROM feedback_issue i"
    " JOIN accounts_account a ON a.id = i.account_id JOIN organization_department d ON d.id = i.department_id"
    " JOIN organization_user r ON r.id = i.raised_by_id"
    " LEFT JOIN LATERAL (SELECT json_build_object('id', x.id, 'from_department', x.from_department_id,"
    " 'from_department_name', fd.name, 'to_department', x.to_department_id, 'to_department_name', td.name,"
    " 'note', x.note, 'handed_off_by', x.handed_off_by_id, 'handed_off_at', x.handed_off_at) AS handoff"
    " FROM feedback_issuehandoff x"
    " JOIN organization_department fd ON fd.id = x.from_department_id"
    " JOIN organization_department td ON td.id = x.to_department_id"
    " WHERE x.issue_id = i.id AND x.accepted_at IS NULL ORDER BY x.id LIMIT 1) h ON true"
    " WHERE i.department_id = %s AND NOT a.is_confidential ORDER BY i.raised_at DESC, i.id DESC LIMIT %s"
)


def _moment(value: datetime | None) -> str | None:
    """A date-time as DRF writes it: ISO 8601 in the current time zone (the connection's), with microseconds."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _health_band(score: int | None) -> str | None:
    if score is None:
        return None
    return "green" if score >= 70 else "yellow" if score >= 40 else "red"


def account_row(row: Sequence[Any], *, cadence_days: dict[int, int], today: date) -> dict[str, Any]:
    """One row of ACCOUNT_API_PAGE_SQL (or the detail's, which adds the contact ids) as AccountSerializer shows it."""
    (
        pk,
        external_id,
        name,
        segment,
        industry,
        region,
        status,
        owner,
        owner_name,
        sponsor,
        confidential,
        rank,
        tier,
        score,
        last_contact_at,
        next_contact_due,
        needs,
        wants,
        health,
        signals,
        at_risk,
        version,
        created_at,
        updated_at,
    ) = row[:24]
    body = {
        "id": pk,
        "external_id": external_id,
        "name": name,
        "segment": segment,
        "industry": industry,
        "region": region,
        "status": status,
        "owner": owner,
        "owner_name": owner_name,
        "executive_sponsor": sponsor,
        "is_confidential": confidential,
        "rank": rank,
        "tier": TIER_NAMES[tier],
        "score": str(score) if isinstance(score, Decimal) else score,
        "cadence_days": cadence_days[tier],
        "last_contact_at": _moment(last_contact_at),
        "next_contact_due": _day(next_contact_due),
        "overdue": next_contact_due is not None and next_contact_due < today,
        "needs": [str(need) for need in needs],
        "wants": [str(want) for want in wants],
        "health": health,
        "health_band": _health_band(health),
        "health_signals": [
            {
                "key": signal["key"],
                "name": signal["label"],
                "points": float(signal["points"]),
                "max": int(signal["max"]),
                "detail": signal["detail"],
            }
            for signal in signals
        ],
        "satisfied_but_at_risk": at_risk,
        "version": version,
        "created_at": _moment(created_at),
        "updated_at": _moment(updated_at),
    }
    if len(row) > 24:
        body["contacts"] = list(row[24])
    return body


def _handoff(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """json_build_object writes date-times as PostgreSQL does ("2026-01-02T10:00:00.123+01:00"): as DRF, instead."""
    if value is None:
        return None
    value["handed_off_at"] = _moment(datetime.fromisoformat(value["handed_off_at"]))
    return value


def issue_row(row: Sequence[Any]) -> dict[str, Any]:
    """One row of ISSUE_API_PAGE_SQL as IssueSerializer shows it."""
    keys = (
        "id",
        "contact_log",
        "account",
        "account_name",
        "severity",
        "department",
        "department_name",
        "verbatim",
        "status",
        "raised_by",
        "raised_by_name",
        "raised_at",
        "acknowledged_by",
        "acknowledged_at",
        "resolved_at",
        "pending_handoff",
        "version",
        "created_at",
        "updated_at",
    )
    body = dict(zip(keys, row, strict=True))
    for key in ("raised_at", "acknowledged_at", "resolved_at", "created_at", "updated_at"):
        body[key] = _moment(body[key])
    body["pending_handoff"] = _handoff(body["pending_handoff"])
    return body


SURVEY_RESPONSE_KEYS = (
    "id",
    "campaign",
    "survey",
    "kind",
    "account",
    "account_name",
    "contact",
    "submitted_at",
    "recommend",
    "choose_again",
    "answers",
)


def survey_response_row(row: Sequence[Any]) -> dict[str, Any]:
    """One row of bench.endpoints.SURVEY_RESPONSE_PAGE_SQL as the survey API writes it (surveys.api.rows)."""
    body = dict(zip(SURVEY_RESPONSE_KEYS, row, strict=True))
    body["submitted_at"] = _moment(body["submitted_at"])
    body["answers"] = body["answers"] or []
    return body


def survey_response_page(rows: Sequence[Sequence[Any]], *, base: str, query: dict[str, str]) -> dict[str, Any]:
    """The first page as DRF's CursorPagination writes it over (-submitted_at, -id): the next cursor's position
    is the last row's submitted_at (in UTC, as Django reads it) with an offset when rows share it."""
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    nxt = None
    if more and page:

        def position(row: Sequence[Any]) -> str:
            return str(row[7].astimezone(UTC))

        # DRF's get_next_link: the last row whose position differs from the row after it, and how many came after.
        compare, offset, marker = position(rows[PAGE_SIZE]), PAGE_SIZE, None
        for index, row in enumerate(reversed(page)):
            if position(row) != compare:
                marker, offset = position(row), index
                break
            compare = position(row)
        tokens = {"o": str(offset)} if offset else {}
        if marker is not None:
            tokens["p"] = marker
        nxt = _cursor(base, query, tokens)
    return {"next": nxt, "previous": None, "results": [survey_response_row(row) for row in page]}


def _cursor(base: str, query: dict[str, str], tokens: dict[str, str]) -> str:
    """A link as DRF's CursorPagination writes it: the request's URL with `cursor` replaced, parameters sorted."""
    encoded = base64.b64encode(urlencode(tokens).encode("ascii")).decode("ascii")
    return f"{base}?{urlencode(sorted({**query, 'cursor': encoded}.items()))}"


def cursor_page(
    rows: Sequence[Sequence[Any]],
    shape: Callable[[Sequence[Any]], dict[str, Any]],
    *,
    position: Callable[[Sequence[Any]], Any],
    base: str,
    query: dict[str, str],
    came_by_cursor: bool,
) -> dict[str, Any]:
    """DRF's cursor envelope over PAGE_SIZE + 1 fetched rows (positions unique, so no offsets are needed)."""
    page = rows[:PAGE_SIZE]
    more = len(rows) > PAGE_SIZE
    return {
        "next": _cursor(base, query, {"p": str(position(page[-1]))}) if more and page else None,
        "previous": _cursor(base, query, {"r": "1", "p": str(position(page[0]))}) if came_by_cursor and page else None,
        "results": [shape(row) for row in page],
    }


_local = threading.local()
DETAIL = re.compile(r"/api/v1/accounts/([0-9]{1,18})")


def _connection() -> Any:
    connection = getattr(_local, "connection", None)
    if connection is None or connection.closed:
        connection = psycopg2.connect(os.environ["DATABASE_URL"], options=f"-c TimeZone={TIME_ZONE}")
        connection.autocommit = True
        _local.connection = connection
    return connection


def _fetch(sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    with _connection().cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _today() -> date:
    return datetime.now(ZoneInfo(TIME_ZONE)).date()


def respond(path: str, query_string: str, host: str) -> tuple[str, Any]:
    """The status line and body (a JSON-able value) for one GET."""
    query = dict(parse_qsl(query_string))
    base = f"http://{host}{path}"
    if path == "/healthz":
        return "200 OK", {"status": "ok"}
    if path == "/api/v1/accounts":
        cursor = query.get("cursor")
        rank = int(parse_qs(base64.b64decode(cursor).decode())["p"][0]) if cursor else 0
        cadence = dict(_fetch(CADENCE_SQL))
        today = _today()
        rows = _fetch(ACCOUNT_API_PAGE_SQL, [rank, PAGE_SIZE + 1])
        return "200 OK", cursor_page(
            rows,
            lambda row: account_row(row, cadence_days=cadence, today=today),
            position=lambda row: row[11],
            base=base,
            query=query,
            came_by_cursor=cursor is not None,
        )
    if match := DETAIL.fullmatch(path):
        cadence = dict(_fetch(CADENCE_SQL))
        rows = _fetch(ACCOUNT_API_DETAIL_SQL, [int(match.group(1))])
        if not rows:
            return "404 Not Found", {"detail": "Not found."}
        return "200 OK", account_row(rows[0], cadence_days=cadence, today=_today())
    if path == "/api/v1/survey-responses" and not query:
        from bench.endpoints import SURVEY_RESPONSE_PAGE_SQL

        return "200 OK", survey_response_page(_fetch(SURVEY_RESPONSE_PAGE_SQL, [PAGE_SIZE + 1]), base=base, query=query)
    if path == "/api/v1/issues" and "department" in query:
        rows = _fetch(ISSUE_API_PAGE_SQL, [int(query["department"]), PAGE_SIZE + 1])
        return "200 OK", cursor_page(
            rows, issue_row, position=lambda row: row[11].astimezone(UTC), base=base, query=query, came_by_cursor=False
        )
    return "404 Not Found", {"detail": "Not found."}


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    status, value = respond(environ["PATH_INFO"], environ.get("QUERY_STRING", ""), environ.get("HTTP_HOST", ""))
    body = orjson.dumps(value)
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
