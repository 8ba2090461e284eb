"""What `make bench` measures: each endpoint as the requests it sends, its budget, and for lists a raw baseline.

A raw baseline is the same page fetched by one hand-written SQL query through psycopg2 (the same rows, order and
visibility rule, the columns the page shows), timed the same way in the same run: our latency divided by it is
how far the application is from what the database itself needs. A bare baseline (bench.bare) is the same body
from hand-written SQL, served by a minimal WSGI callable under the same gunicorn: the price of HTTP included.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from bench.load import Request

API_LIST_P95_MS = None  # judged against the bare baseline (measure.BARE_RATIO_BUDGET), not in milliseconds
API_CREATE_P95_MS = 60.0
API_CREATE_STATEMENTS = 15
PAGE_P95_MS = 250.0


@dataclass(frozen=True)
class Raw:
    sql: str
    params: Callable[[int], list[Any]]


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    budget_p95_ms: float | None  # None: no budget in milliseconds (an API read, held to its bare baseline)
    make: Callable[[int], Request] | None  # None: not available in this build (reason says why)
    raw: Raw | None = None
    reason: str = ""
    bare: bool = False  # bench.bare serves the same request with the same body: measure it there too


@dataclass(frozen=True)
class Targets:
    """Ids picked from the dataset before the run, so every request hits a real, visible row."""

    token: str
    session: str
    account_ids: list[int]  # visible to the API client (not confidential), with conversations
    deep_rank: int  # a cursor position four fifths down the account list
    department_id: int
    department_slug: str
    issue_departments: list[int]
    available_pages: dict[str, str]  # key -> "" if available, else why not


ACCOUNT_COLUMNS = (
    "a.id, a.name, a.external_id, a.industry, a.region, a.status, a.score, a.rank, a.tier, a.computed_tier,"
    " a.tier_override, a.last_contact_at, a.next_contact_due, a.is_confidential, a.version, a.updated_at,"
    " s.id, s.name, s.slug, u.id, u.full_name, u.email"
)
ACCOUNT_PAGE_SQL = (
    f"SELECT {ACCOUNT_COLUMNS} FROM accounts_account a JOIN accounts_segment s ON s.id = a.segment_id"  # noqa: S608
    " JOIN organization_user u ON u.id = a.owner_id WHERE {visible} a.rank > %s ORDER BY a.rank, a.id LIMIT %s"
)
ISSUE_PAGE_SQL = (
    "SELECT i.id, i.severity, i.status, i.verbatim, i.raised_at, i.acknowledged_at, i.resolved_at, i.version,"
    " i.updated_at, a.id, a.name, a.tier, d.id, d.name, r.id, r.full_name FROM feedback_issue i"
    " JOIN accounts_account a ON a.id = i.account_id JOIN organization_department d ON d.id = i.department_id"
    " JOIN organization_user r ON r.id = i.raised_by_id WHERE i.department_id = %s {extra}"
    " ORDER BY i.raised_at DESC, i.id DESC LIMIT %s"
)


SURVEY_RESPONSE_PAGE_SQL = (
    "SELECT r.id, r.campaign_id, v.template_id, c.kind, r.account_id, a.name, r.contact_id, r.submitted_at,"
    " r.recommend, r.choose_again, (SELECT json_agg(json_build_object('id', x.id, 'question', x.question_id,"
    " 'position', q.position, 'kind', q.kind, 'dimension', NULLIF(x.dimension, ''), 'score', x.score,"
    " 'text', x.text, 'comment', x.comment, 'issue', x.issue_id) ORDER BY q.position, x.id)"
    " FROM surveys_surveyanswer x JOIN surveys_surveyquestion q ON q.id = x.question_id"
    " WHERE x.response_id = r.id) FROM surveys_surveyresponse r"
    " JOIN surveys_surveycampaign c ON c.id = r.campaign_id JOIN surveys_surveyversion v ON v.id = c.version_id"
    " JOIN accounts_account a ON a.id = r.account_id WHERE r.submitted_at IS NOT NULL AND NOT a.is_confidential"
    " ORDER BY r.submitted_at DESC, r.id DESC LIMIT %s"
)


def cursor_at(rank: int) -> str:
    """DRF's cursor for "rows after this rank" (position only, as its own `next` links carry)."""
    return base64.b64encode(urlencode({"p": str(rank)}).encode()).decode()


def endpoints(targets: Targets, *, host: str, now: Any) -> list[Endpoint]:
    api = {"Authorization": f"Bearer {targets.token}", "Accept": "application/json", "Host": host}
    page = {"Cookie": f"sessionid={targets.session}", "Host": host}
    ids = targets.account_ids

    def get(path: str, headers: dict[str, str]) -> Callable[[int], Request]:
        return lambda i: Request("GET", path, headers)

    def contact_log(i: int) -> Request:
        body = {
            "account": ids[i % len(ids)],
            "occurred_at": (now - timedelta(minutes=i)).isoformat(),
            "channel": "phone",
            "topics": ["delivery"],
            "summary": "Benchmark call: the last shipment was late again.",
            "rating": 3,
            "issues": [
                {"department": targets.issue_departments[0], "verbatim": "The shipment was late.", "severity": "high"},
                {
                    "department": targets.issue_departments[1],
                    "verbatim": "Invoice had the wrong PO.",
                    "severity": "low",
                },
            ],
        }
        headers = {**api, "Content-Type": "application/json"}
        return Request("POST", "/api/v1/contact-logs", headers, json.dumps(body).encode())

    deep = f"/api/v1/accounts?{urlencode({'cursor': cursor_at(targets.deep_rank)})}"
    visible = "NOT a.is_confidential AND"
    result = [
        Endpoint(
            "api_accounts_first",
            "API account list, first page",
            API_LIST_P95_MS,
            get("/api/v1/accounts", api),
            Raw(ACCOUNT_PAGE_SQL.format(visible=visible), lambda i: [0, 51]),
            bare=True,
        ),
        Endpoint(
            "api_accounts_deep",
            "API account list, deep cursor page",
            API_LIST_P95_MS,
            get(deep, api),
            Raw(ACCOUNT_PAGE_SQL.format(visible=visible), lambda i: [targets.deep_rank, 51]),
            bare=True,
        ),
        Endpoint(
            "api_account_detail",
            "API account detail",
            API_LIST_P95_MS,
            lambda i: Request("GET", f"/api/v1/accounts/{ids[i % len(ids)]}", api),
            bare=True,
        ),
        Endpoint("api_contact_log_create", "API contact-log create (2 issues)", API_CREATE_P95_MS, contact_log),
        Endpoint(
            "api_issues_by_department",
            "API issue list, by department",
            API_LIST_P95_MS,
            get(f"/api/v1/issues?department={targets.department_id}", api),
            Raw(
                ISSUE_PAGE_SQL.format(extra="AND NOT a.is_confidential"),
                lambda i: [targets.department_id, 51],
            ),
            bare=True,
        ),
        Endpoint(
            "api_survey_responses",
            "API survey results (responses with answers)",
            API_LIST_P95_MS,
            get("/api/v1/survey-responses", api),
            Raw(SURVEY_RESPONSE_PAGE_SQL, lambda i: [51]),
            bare=True,
        ),
        Endpoint(
            "page_account_list",
            "Account list page",
            PAGE_P95_MS,
            get("/accounts/", page),
            Raw(ACCOUNT_PAGE_SQL.format(visible=""), lambda i: [0, 50]),
        ),
        Endpoint(
            "page_account_detail",
            "Account detail page (timeline)",
            PAGE_P95_MS,
            lambda i: Request("GET", f"/accounts/{ids[i % len(ids)]}/", page),
        ),
        Endpoint(
            "page_inbox",
            "Department inbox page",
            PAGE_P95_MS,
            get(f"/feedback/inbox/?department={targets.department_slug}", page),
            Raw(
                ISSUE_PAGE_SQL.format(extra="AND i.status NOT IN ('resolved', 'closed')"),
                lambda i: [targets.department_id, 200],
            ),
        ),
    ]
    for key, label, path in [
        ("page_dashboard", "Priority dashboard page", "/dashboard/"),
        ("page_kpis", "KPI page", "/kpis/"),
        ("page_yoy", "Year-over-year page (surveys)", "/surveys/yoy/"),
    ]:
        reason = targets.available_pages.get(key, "")
        result.append(Endpoint(key, label, PAGE_P95_MS, None if reason else get(path, page), reason=reason))
    return result
