"""Who may reach what: every page and API route × every role × a normal and a confidential account.

The routes come from the URL configuration itself (`get_resolver()`), so a new route without a row in MATRIX
fails `test_every_route_has_a_row_in_the_matrix`, naming it.

How to add a row
----------------
1. Key: `"<METHOD> <route>"`, the route exactly as Django spells it (the failure message prints it), e.g.
   `"GET dashboard/export.csv"`. A route may have several rows, one per method worth checking (a read and a
   write). `*` stands for one path segment (`admin/*/*/` is every admin changelist).
2. Target: what the route's `<…>` parts name, one of TARGETS below (`None` when the route takes none). A target
   that belongs to an account is requested twice: for a normal account and for a confidential one.
3. Expected answers, one per role in ROLES order. `login` is a redirect to a login page; other numbers are
   statuses. Give a second string for the confidential account when the target hangs off an account.
4. Run `PERMISSION_MATRIX_PRINT=1 pytest tests/test_permission_matrix.py -k answers -s`: it prints what every
   route answers now, in this table's format. Never paste that blindly: decide what each cell must be, and fix
   the view when it answers something else.

The people: `staff` (bob-like, Engineering, on no account team), `am` (the account manager who owns both
accounts and wrote their logs), `lead` (Engineering's lead, on no account team: issues and plans are routed to
Engineering), `exec`, `admin` (a superuser, as the demo admin is). API clients, both in Engineering: `ro` (read
scope) and `rw` (read and write). Each request runs in a savepoint that is rolled back, so no cell sees another
cell's writes. POSTs to pages send an empty form, and API writes an empty JSON object: a 400/200-with-errors
means "allowed in, then refused the (empty) input", a 403/404 means "not allowed".
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import AccountImport, AccountTeamMember
from actionplans.models import Escalation, Target
from organization.models import Role, User
from organization.webhooks import services as webhooks
from reviews.models import AccountReview, ReviewDecision
from surveys import links
from surveys.models import DeclineProposal, SurveyCampaign, SurveyInvitation, SurveyResponse, SurveyVersion
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    ApiClientFactory,
    ContactFactory,
    ContactLogFactory,
    DepartmentFactory,
    IssueFactory,
    PlanStepFactory,
    UserFactory,
)

ROLES = ("anon", "staff", "am", "lead", "exec", "admin", "ro", "rw")

# What a route's `<…>` parts are filled with. Targets marked with an account are requested for both accounts.
ACCOUNT_TARGETS = (
    "account",
    "contact",
    "team_member",
    "external_id",
    "log",
    "issue",
    "plan",
    "step",
    "escalation",
    "review",
    "review_decision",
)
TARGETS = (*ACCOUNT_TARGETS, "survey_invitation", "survey_response", "survey_proposal")  # per account
OTHER_TARGETS = ("import", "webhook", "user", "object", "app", "nowhere", "campaign", "survey_link")


@dataclass(frozen=True)
class Row:
    target: str | None
    normal: str
    confidential: str | None = None
    query: str = ""  # for routes that take their target as a query parameter: "account={pk}"


def row(target: str | None, normal: str, confidential: str | None = None, query: str = "") -> Row:
    return Row(target, normal, confidential, query)


# fmt: off
MATRIX: dict[str, Row] = {
    # key                                             target          anon  staff am    lead  exec  admin ro    rw
    # -- pages: everything needs a login; API tokens do not log anyone in to pages -------------------------------------
    "GET ":                                       row(None,          "login 200   200   200   200   200   login login"),
    "GET healthz":                                row(None,          "503   503   503   503   503   503   503   503"),
    "GET login/":                                 row(None,          "200   302   302   302   302   302   200   200"),
    "POST logout/":                               row(None,          "login login login login login login login login"),
    "GET password/":                              row(None,          "login 200   200   200   200   200   login login"),
    "GET password/done/":                         row(None,          "login 200   200   200   200   200   login login"),
    "GET notifications/":                         row(None,          "login 200   200   200   200   200   login login"),
    "GET webhooks/":                              row(None,          "login 403   403   403   403   200   login login"),
    "GET dashboard/":                             row(None,          "login 200   200   200   200   200   login login"),
    "GET dashboard/export.csv":                   row(None,          "login 200   200   200   200   200   login login"),
    "GET kpis/":                                  row(None,          "login 200   200   200   200   200   login login"),
    "GET scorecards/":                            row(None,          "login 200   200   200   200   200   login login"),
    "GET scorecards/me/":                         row(None,          "login 302   302   302   302   302   login login"),
    "GET scorecards/people/<int:pk>/":            row("user",        "login 200   404   200   200   200   login login"),
    # accounts: only creators add; only the owner (and editing team, admins) edit; executives override and score
    "GET accounts/":                              row(None,          "login 200   200   200   200   200   login login"),
    "GET accounts/call-next/":                    row(None,          "login 200   200   200   200   200   login login"),
    "GET accounts/new/":                          row(None,          "login 403   200   200   200   200   login login"),
    "GET accounts/priority/":                     row(None,          "login 403   403   403   200   200   login login"),
    "GET accounts/export.csv":                    row(None,          "login 200   200   200   200   200   login login"),
    "GET accounts/import/":                       row(None,          "login 403   200   200   200   200   login login"),
    "GET accounts/import/<int:pk>/":              row("import",      "login 403   200   404   404   404   login login"),
    "GET accounts/<int:pk>/":                     row("account",     "login 200   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "GET accounts/<int:pk>/edit/":                row("account",     "login 403   200   403   403   200   login login",
                                                                     "login 404   200   404   403   200   login login"),
    "GET accounts/<int:pk>/timeline/":            row("account",     "login 200   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "GET accounts/<int:pk>/scores/":              row("account",     "login 403   200   403   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "POST accounts/<int:pk>/override/":           row("account",     "login 403   403   403   302   302   login login",
                                                                     "login 404   403   404   302   302   login login"),
    "GET accounts/<int:pk>/contacts/new/":        row("account",     "login 403   200   403   403   200   login login",
                                                                     "login 404   200   404   403   200   login login"),
    "GET accounts/<int:pk>/contacts/<int:contact_pk>/edit/":
                                                  row("contact",     "login 403   200   403   403   200   login login",
                                                                     "login 404   200   404   403   200   login login"),
    # the account team: changed by those who edit the account (owner, editing team members, admins)
    "POST accounts/<int:pk>/team/":               row("account",     "login 403   302   403   403   302   login login",
                                                                     "login 404   302   404   403   302   login login"),
    "POST accounts/<int:pk>/team/<int:member_pk>/":
                                                  row("team_member", "login 403   400   403   403   400   login login",
                                                                     "login 404   400   404   403   400   login login"),
    "POST accounts/<int:pk>/team/<int:member_pk>/remove/":
                                                  row("team_member", "login 403   302   403   403   302   login login",
                                                                     "login 404   302   404   403   302   login login"),
    # joint account reviews: opened with the account; scheduled and run by its editors and executives
    "GET reviews/accounts/<int:account_pk>/new/": row("account",     "login 403   200   403   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "POST reviews/accounts/<int:account_pk>/new/":
                                                  row("account",     "login 403   400   403   400   400   login login",
                                                                     "login 404   400   404   400   400   login login"),
    "GET reviews/<int:pk>/":                      row("review",      "login 200   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "POST reviews/<int:pk>/start/":               row("review",      "login 403   302   403   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    "POST reviews/<int:pk>/send-summary/":        row("review",      "login 403   302   403   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    "POST reviews/<int:pk>/minutes/":             row("review",      "login 403   302   403   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    "POST reviews/<int:pk>/decisions/":           row("review",      "login 403   400   403   400   400   login login",
                                                                     "login 404   400   404   400   400   login login"),
    "POST reviews/decisions/<int:pk>/plan/":      row("review_decision",
                                                                     "login 403   302   403   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    # feedback pages
    "GET feedback/log/":                          row(None,          "login 200   200   200   200   200   login login"),
    "GET feedback/log/account-options/":          row(None,          "login 200   200   200   200   200   login login"),
    "GET feedback/log/account-picked/":           row("account",     "login 200   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login",
                                                                     query="account={pk}"),
    "GET feedback/log/issue-row/":                row(None,          "login 200   200   200   200   200   login login"),
    "GET feedback/logs/<int:pk>/":                row("log",         "login 200   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "GET feedback/logs/<int:pk>/edit/":           row("log",         "login 403   200   403   403   403   login login",
                                                                     "login 404   200   404   403   403   login login"),
    "POST feedback/logs/<int:pk>/move/":          row("log",         "login 403   302   403   403   302   login login",
                                                                     "login 404   302   404   403   302   login login"),
    "POST feedback/logs/<int:pk>/delete/":        row("log",         "login 302   302   302   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    "GET feedback/issues/<int:pk>/":              row("issue",       "login 200   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "POST feedback/issues/<int:pk>/acknowledge/": row("issue",       "login 302   403   302   403   302   login login",
                                                                     "login 404   403   404   403   302   login login"),
    "POST feedback/issues/<int:pk>/handoff/":     row("issue",       "login 302   302   302   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    "GET feedback/inbox/":                        row(None,          "login 200   200   200   200   200   login login"),
    "GET feedback/search/":                       row(None,          "login 200   200   200   200   200   login login"),
    # plan pages
    "GET plans/":                                 row(None,          "login 200   200   200   200   200   login login"),
    "GET plans/mine/":                            row(None,          "login 200   200   200   200   200   login login"),
    "GET plans/new/":                             row("account",     "login 200   200   200   200   200   login login",
                                                                     "login 200   200   200   200   200   login login",
                                                                     query="account={pk}"),
    "POST plans/new/":                            row(None,          "login 200   200   200   200   200   login login"),
    "POST plans/from-issue/<int:issue_pk>/":      row("issue",       "login 302   403   302   302   302   login login",
                                                                     "login 404   403   404   302   302   login login"),
    "GET plans/<int:pk>/":                        row("plan",        "login 200   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "GET plans/<int:pk>/edit/":                   row("plan",        "login 403   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "POST plans/<int:pk>/status/":                row("plan",        "login 403   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "POST plans/steps/<int:step_pk>/toggle/":     row("step",        "login 403   302   302   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    "POST plans/escalations/<int:pk>/acknowledge/":
                                                  row("escalation",  "login 403   302   302   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    # -- API: 401 without credentials; a read-only client may not write; confidential accounts are for people only --
    "GET api/v1/":                                row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/me":                              row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/departments":                     row(None,          "401   200   200   200   200   200   200   200"),
    "POST api/v1/departments":                    row(None,          "401   403   403   403   403   400   403   400"),
    "GET api/v1/webhooks":                        row(None,          "401   403   403   403   403   200   200   200"),
    "POST api/v1/webhooks":                       row(None,          "401   403   403   403   403   403   403   400"),
    "GET api/v1/webhooks/<int:pk>":               row("webhook",     "401   404   404   404   404   200   404   200"),
    "DELETE api/v1/webhooks/<int:pk>":            row("webhook",     "401   404   404   404   404   204   403   204"),
    "GET api/v1/webhooks/<int:pk>/deliveries":    row("webhook",     "401   404   404   404   404   200   404   200"),
    # survey pages (the campaigns), and the public page a private link opens: no login, the signed token is the key
    "GET surveys/":                               row(None,          "login 200   200   200   200   200   login login"),
    "GET surveys/new/":                           row(None,          "login 403   200   403   403   200   login login"),
    "POST surveys/new/":                          row(None,          "login 403   400   403   403   400   login login"),
    "GET surveys/<int:pk>/":                      row("campaign",    "login 200   200   200   200   200   login login"),
    "POST surveys/invitations/<int:pk>/revoke/":  row("survey_invitation",
                                                                     "login 403   302   403   403   302   login login",
                                                                     "login 404   302   404   403   302   login login"),
    "GET surveys/responses/<int:pk>/":            row("survey_response",
                                                                     "login 200   200   200   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    # year over year (the page, and the owner's decision on a plan proposed for a decline)
    "GET surveys/yoy/":                           row(None,          "login 200   200   200   200   200   login login"),
    "POST surveys/yoy/proposals/<int:pk>/accept/":
                                                  row("survey_proposal",
                                                                     "login 403   302   403   302   302   login login",
                                                                     "login 404   302   404   302   302   login login"),
    "GET surveys/yoy/proposals/<int:pk>/dismiss/":
                                                  row("survey_proposal",
                                                                     "login 403   200   403   200   200   login login",
                                                                     "login 404   200   404   200   200   login login"),
    "POST surveys/yoy/proposals/<int:pk>/dismiss/":
                                                  row("survey_proposal",
                                                                     "login 403   400   403   400   400   login login",
                                                                     "login 404   400   404   400   400   login login"),
    "GET s/<str:token>/":                         row("survey_link", "200   200   200   200   200   200   200   200"),
    "POST s/<str:token>/":                        row("survey_link", "302   302   302   302   302   302   302   302"),
    "GET s/<str:token>/opt-out/":                 row("survey_link", "200   200   200   200   200   200   200   200"),
    "GET api/v1/accounts":                        row(None,          "401   200   200   200   200   200   200   200"),
    "POST api/v1/accounts":                       row(None,          "401   403   400   400   400   400   403   400"),
    "GET api/v1/accounts/<int:pk>":               row("account",     "401   200   200   200   200   200   200   200",
                                                                     "401   404   200   404   200   200   404   404"),
    "PATCH api/v1/accounts/<int:pk>":             row("account",     "401   403   428   403   403   428   403   428",
                                                                     "401   404   428   404   403   428   403   404"),
    "GET api/v1/accounts/<int:pk>/contacts":      row("account",     "401   200   200   200   200   200   200   200",
                                                                     "401   404   200   404   200   200   404   404"),
    "GET api/v1/accounts/<int:pk>/team":          row("account",     "401   200   200   200   200   200   200   200",
                                                                     "401   404   200   404   200   200   404   404"),
    "POST api/v1/accounts/<int:pk>/team":         row("account",     "401   403   400   403   403   400   403   400",
                                                                     "401   404   400   404   403   400   403   404"),
    "DELETE api/v1/accounts/<int:pk>/team/<int:member_id>":
                                                  row("team_member", "401   403   204   403   403   204   403   204",
                                                                     "401   404   204   404   403   204   403   404"),
    "GET api/v1/accounts/by-external-id/<path:external_id>":
                                                  row("external_id", "401   200   200   200   200   200   200   200",
                                                                     "401   404   200   404   200   200   404   404"),
    "PUT api/v1/accounts/by-external-id/<path:external_id>":
                                                  row("external_id", "401   403   400   403   403   400   403   400",
                                                                     "401   403   400   400   403   400   403   400"),
    "GET api/v1/contacts":                        row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/priority-criteria":               row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/contact-logs":                    row(None,          "401   200   200   200   200   200   200   200"),
    "POST api/v1/contact-logs":                   row(None,          "401   400   400   400   400   400   403   400"),
    "GET api/v1/contact-logs/<int:pk>":           row("log",         "401   200   200   200   200   200   200   200",
                                                                     "401   404   200   404   200   200   404   404"),
    "PATCH api/v1/contact-logs/<int:pk>":         row("log",         "401   403   428   403   403   403   403   403",
                                                                     "401   404   428   404   403   403   403   403"),
    "GET api/v1/issues":                          row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/issues/<int:pk>":                 row("issue",       "401   200   200   200   200   200   200   200",
                                                                     "401   404   200   404   200   200   404   404"),
    "POST api/v1/issues/<int:pk>/acknowledge":    row("issue",       "401   200   403   200   403   200   403   403",
                                                                     "401   404   403   404   403   200   403   403"),
    "POST api/v1/issues/<int:pk>/handoff":        row("issue",       "401   400   400   400   400   400   403   403",
                                                                     "401   404   400   404   400   400   403   403"),
    "GET api/v1/action-plans":                    row(None,          "401   200   200   200   200   200   200   200"),
    "POST api/v1/action-plans":                   row(None,          "401   400   400   400   400   400   403   400"),
    "GET api/v1/action-plans/<int:pk>":           row("plan",        "401   200   200   200   200   200   200   200",
                                                                     "401   404   200   404   200   200   404   404"),
    "PATCH api/v1/action-plans/<int:pk>":         row("plan",        "401   403   428   428   428   428   403   403",
                                                                     "401   404   428   404   428   428   403   403"),
    "POST api/v1/action-plans/<int:pk>/status":   row("plan",        "401   403   400   400   400   400   403   403",
                                                                     "401   404   400   404   400   400   403   403"),
    "GET api/v1/escalations":                     row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/kpis":                            row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/dashboard/priority-accounts":     row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/surveys":                         row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/survey-campaigns":                row(None,          "401   200   200   200   200   200   200   200"),
    "GET api/v1/survey-responses":                row(None,          "401   200   200   200   200   200   200   200"),
    "POST api/v1/survey-responses":               row(None,          "401   405   405   405   405   405   403   405"),
    "POST api/v1/escalations/<int:pk>/acknowledge":
                                                  row("escalation",  "401   403   200   200   200   200   403   403",
                                                                     "401   404   200   404   200   200   403   403"),
    "GET api/schema/":                            row(None,          "401   200   200   200   200   200   200   200"),
    # Swagger UI is a page for people: logged out, to the login page and back; systems read the schema above.
    "GET api/docs/":                              row(None,          "login 200   200   200   200   200   login login"),
    # -- the Django admin: superusers only (the demo admin is one); everyone else is sent to its login -------------
    "GET admin/":                                 row(None,          "login login login login login 200   login login"),
    "GET admin/login/":                           row(None,          "200   200   200   200   200   302   200   200"),
    "POST admin/logout/":                         row(None,          "302   302   302   302   302   login 302   302"),
    "GET admin/password_change/":                 row(None,          "login login login login login 200   login login"),
    "GET admin/password_change/done/":            row(None,          "login login login login login 200   login login"),
    "GET admin/autocomplete/":                    row(None,          "login login login login login 403   login login"),
    "GET admin/jsi18n/":                          row(None,          "login login login login login 200   login login"),
    "GET admin/r/<path:content_type_id>/<path:object_id>/":
                                                  row("object",      "login login login login login 404   login login"),
    "GET admin/*/*/":                             row(None,          "login login login login login 200   login login"),
    "GET admin/*/*/add/":                         row(None,          "login login login login login 200   login login"),
    # logs nobody adds by hand: the audit log and django-axes' records are read-only in the admin
    "GET admin/organization/auditevent/add/":     row(None,          "login login login login login 403   login login"),
    "GET admin/axes/accessattempt/add/":          row(None,          "login login login login login 403   login login"),
    "GET admin/axes/accesslog/add/":              row(None,          "login login login login login 403   login login"),
    "GET admin/axes/accessfailurelog/add/":       row(None,          "login login login login login 403   login login"),
    "GET admin/organization/auditevent/<path:object_id>/delete/":
                                                  row("object",      "login login login login login 403   login login"),
    "GET admin/*/*/<path:object_id>/":            row("object",      "login login login login login 302   login login"),
    "GET admin/*/*/<path:object_id>/change/":     row("object",      "login login login login login 302   login login"),
    "GET admin/*/*/<path:object_id>/history/":    row("object",      "login login login login login 302   login login"),
    "GET admin/*/*/<path:object_id>/delete/":     row("object",      "login login login login login 302   login login"),
    "GET admin/organization/user/<id>/password/": row("user",        "login login login login login 200   login login"),
    "GET admin/^(?P<app_label>*)/$":              row("app",         "login login login login login 200   login login"),
    "GET admin/(?P<url>.*)$":                     row("nowhere",     "login login login login login 404   login login"),
}
# fmt: on


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def all_routes() -> list[str]:
    return list(dict.fromkeys(_routes(get_resolver().url_patterns)))


def _key_matches(key_route: str, route: str) -> bool:
    if key_route == route:
        return True
    if "*" not in key_route:
        return False
    pattern = "".join("[^/]+" if part == "*" else re.escape(part) for part in re.split(r"(\*)", key_route))
    return re.fullmatch(pattern, route) is not None


def rows_for(route: str) -> list[tuple[str, Row]]:
    """The rows for a route: its exact rows, or else those of the one glob that matches it."""
    exact = [(key, r) for key, r in MATRIX.items() if key.split(" ", 1)[1] == route]
    if exact:
        return exact
    return [(key, r) for key, r in MATRIX.items() if "*" in key and _key_matches(key.split(" ", 1)[1], route)]


def test_every_route_has_a_row_in_the_matrix() -> None:
    missing = [route for route in all_routes() if not rows_for(route)]
    assert not missing, "Routes without a row in MATRIX (tests/test_permission_matrix.py): " + ", ".join(
        repr(route) for route in missing
    )


def test_every_row_names_a_route_that_exists() -> None:
    routes = all_routes()
    stale = [key for key in MATRIX if not any(_key_matches(key.split(" ", 1)[1], route) for route in routes)]
    assert not stale, f"Rows for routes that no longer exist: {stale}"


def test_every_row_has_an_answer_for_each_role_and_account_kind() -> None:
    for key, r in MATRIX.items():
        assert len(r.normal.split()) == len(ROLES), key
        assert (r.confidential is not None) == (r.target in TARGETS), key
        assert r.confidential is None or len(r.confidential.split()) == len(ROLES), key
        assert r.target is None or r.target in TARGETS + OTHER_TARGETS, key


@dataclass
class World:
    people: dict[str, User]
    tokens: dict[str, str]
    ids: dict[tuple[str, str], dict[str, str]]  # (target, "normal"|"confidential") → the route's `<…>` values


@pytest.fixture
def world(db: Any) -> World:
    engineering = DepartmentFactory.create(name="Engineering", slug="engineering")
    sales = DepartmentFactory.create(name="Sales", slug="sales")
    people = {
        "staff": UserFactory.create(role=Role.STAFF, department=engineering),
        "am": UserFactory.create(role=Role.ACCOUNT_MANAGER, department=sales),
        "lead": UserFactory.create(role=Role.DEPARTMENT_LEAD, department=engineering),
        "exec": UserFactory.create(role=Role.EXECUTIVE, department=None),
        "admin": UserFactory.create(role=Role.ADMIN, is_staff=True, is_superuser=True, department=None),
    }
    engineering.lead = people["lead"]
    engineering.save()
    _, ro = ApiClientFactory.create(name="matrix-ro", department=engineering, can_read=True, can_write=False)
    rw_client, rw = ApiClientFactory.create(name="matrix-rw", department=engineering, can_read=True, can_write=True)
    # Someone on the confidential account's team who is none of the roles: the team check must not leak to others.
    teammate = UserFactory.create(role=Role.STAFF, department=sales)

    ids: dict[tuple[str, str], dict[str, str]] = {}
    survey = SurveyCampaign.objects.create(
        version=SurveyVersion.objects.filter(template__slug="annual-perception").order_by("-number")[0],
        kind="annual",
        name="Matrix survey",
        created_by=people["am"],
        created_at=timezone.now(),
        state=SurveyCampaign.State.SENT,
        expires_at=timezone.now() + timedelta(days=30),
    )
    ids[("campaign", "normal")] = {"pk": str(survey.pk)}
    for kind in ("normal", "confidential"):
        account = AccountFactory.create(
            owner=people["am"], is_confidential=kind == "confidential", external_id=f"EXT-{kind}/1"
        )
        member = AccountTeamMember.objects.create(account=account, user=teammate, can_edit=True)
        contact = ContactFactory.create(account=account)
        log = ContactLogFactory.create(account=account, author=people["am"])
        issue = IssueFactory.create(contact_log=log, department=engineering, raised_by=people["am"])
        plan = ActionPlanFactory.create(account=account, owner=people["am"], department=engineering)
        plan.issues.set([issue])
        step = PlanStepFactory.create(plan=plan)
        escalation = Escalation.objects.create(
            plan=plan, level=1, target=Target.DEPARTMENT_LEAD, escalated_at=timezone.now() - timedelta(hours=1)
        )
        escalation.notified.set([people["am"], people["lead"]])
        ids[("account", kind)] = {"pk": str(account.pk), "account_pk": str(account.pk)}
        review = AccountReview.objects.create(account=account, scheduled_for=timezone.now(), created_by=people["am"])
        ids[("review", kind)] = {"pk": str(review.pk)}
        decision = ReviewDecision.objects.create(
            review=review,
            text="Visit the plant",
            owner=people["am"],
            department=engineering,
            promise_on=timezone.localdate() + timedelta(days=30),
            created_by=people["am"],
        )
        ids[("review_decision", kind)] = {"pk": str(decision.pk)}
        ids[("contact", kind)] = {"pk": str(account.pk), "contact_pk": str(contact.pk)}
        ids[("team_member", kind)] = {"pk": str(account.pk), "member_pk": str(member.pk), "member_id": str(member.pk)}
        ids[("external_id", kind)] = {"external_id": account.external_id or ""}
        ids[("log", kind)] = {"pk": str(log.pk)}
        ids[("issue", kind)] = {"pk": str(issue.pk), "issue_pk": str(issue.pk)}
        ids[("plan", kind)] = {"pk": str(plan.pk)}
        ids[("step", kind)] = {"step_pk": str(step.pk)}
        ids[("escalation", kind)] = {"pk": str(escalation.pk)}
        invitation = SurveyInvitation.objects.create(
            campaign=survey,
            account=account,
            contact=contact,
            email=contact.email,
            nonce=f"{kind}-nonce",
            sent_at=timezone.now(),
        )
        answered = SurveyInvitation.objects.create(
            campaign=survey,
            account=account,
            contact=ContactFactory.create(account=account),
            email=f"answered-{kind}@example.com",
            nonce=f"{kind}-answered",
            sent_at=timezone.now(),
            completed_at=timezone.now(),
        )
        response = SurveyResponse.objects.create(
            invitation=answered,
            campaign=survey,
            account=account,
            contact=answered.contact,
            started_at=timezone.now(),
            updated_at=timezone.now(),
            submitted_at=timezone.now(),
        )
        proposal = DeclineProposal.objects.create(
            account=account,
            dimension="delivery",
            previous_campaign=survey,
            previous_score=Decimal("4.00"),
            current_campaign=survey,
            current_score=Decimal("2.00"),
            suggested_owner=people["am"],
            department=engineering,
            suggested_promise_on=timezone.localdate() + timedelta(days=28),
        )
        ids[("survey_proposal", kind)] = {"pk": str(proposal.pk)}
        ids[("survey_invitation", kind)] = {"pk": str(invitation.pk)}
        ids[("survey_response", kind)] = {"pk": str(response.pk)}
        if kind == "normal":
            ids[("survey_link", "normal")] = {"token": links.make_token(invitation)}
    job = AccountImport.objects.create(
        kind=AccountImport.Kind.ACCOUNTS, status=AccountImport.Status.INVALID, created_by=people["am"]
    )
    subscription = webhooks.create_subscription(
        api_client=rw_client, url="https://hooks.example.com/in", events=["issue.raised"]
    )
    ids[("import", "normal")] = {"pk": str(job.pk)}
    ids[("webhook", "normal")] = {"pk": str(subscription.pk)}
    ids[("user", "normal")] = {"id": str(people["staff"].pk), "pk": str(people["staff"].pk)}
    ids[("object", "normal")] = {"object_id": "999999", "content_type_id": "999999"}
    ids[("app", "normal")] = {}
    ids[("nowhere", "normal")] = {}
    return World(people=people, tokens={"ro": ro, "rw": rw}, ids=ids)


def _url(route: str, values: dict[str, str]) -> str:
    if "(?P<app_label>" in route:
        return "/admin/organization/"
    if "(?P<url>" in route:
        return "/admin/no-such-page/"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def _answer(response: Any) -> str:
    if response.status_code == 302 and re.match(r"^(/admin)?/login/", response.get("Location", "")):
        return "login"
    return str(response.status_code)


def _ask(client: Client, method: str, url: str, headers: dict[str, str]) -> str:
    api = url.startswith("/api/v1/")
    kwargs: dict[str, Any] = {"headers": headers}
    if method in {"POST", "PUT", "PATCH"}:
        empty_form: dict[str, str] = {}
        kwargs.update({"data": "{}", "content_type": "application/json"} if api else {"data": empty_form})
    cookies = copy.deepcopy(client.cookies)  # a logout must not log this role out of the next cells
    with transaction.atomic():  # every cell starts from the same data: undo whatever the request wrote
        response = getattr(client, method.lower())(url, **kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    return _answer(response)


def _clients(world: World) -> dict[str, tuple[Client, dict[str, str]]]:
    # A view that crashes is a 500 in its cell, not an exception that hides the other cells.
    no_headers: dict[str, str] = {}
    clients: dict[str, tuple[Client, dict[str, str]]] = {"anon": (Client(raise_request_exception=False), no_headers)}
    for role, person in world.people.items():
        client = Client(raise_request_exception=False)
        client.force_login(person)
        clients[role] = (client, no_headers)
    for role, token in world.tokens.items():
        clients[role] = (Client(raise_request_exception=False), {"Authorization": f"Bearer {token}"})
    return clients


def test_every_route_answers_each_role_as_the_matrix_says(world: World) -> None:
    clients = _clients(world)
    mismatches: list[str] = []
    observed: dict[str, list[str]] = {}
    for route in all_routes():
        for key, r in rows_for(route):
            method = key.split(" ", 1)[0]
            kinds = ("normal", "confidential") if r.target in TARGETS else ("normal",)
            for kind in kinds:
                expected = (r.normal if kind == "normal" else r.confidential or "").split()
                values = world.ids[(r.target, kind)] if r.target else {}
                url = _url(route, values) + ("?" + r.query.format(**values) if r.query else "")
                got = [_ask(clients[role][0], method, url, clients[role][1]) for role in ROLES]
                observed.setdefault(f"{method} {route}", []).append(" ".join(f"{a:<5}" for a in got))
                mismatches += [
                    f"{method} {url} ({kind} account) as {role}: expected {want}, got {answer}"
                    for role, want, answer in zip(ROLES, expected, got, strict=True)
                    if want != answer
                ]
    if os.environ.get("PERMISSION_MATRIX_PRINT"):
        print(json.dumps(observed, indent=1))  # noqa: T201 - the helper the module docstring describes
    assert not mismatches, "\n".join(mismatches)
