"""Bad input everywhere is a clear 4xx with the error body, never a 500, and nothing is partly written."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account, AccountImport
from actionplans.models import ActionPlan
from feedback.models import ContactLog, Issue
from kernel.models import IdempotencyKey
from organization.models import Role, User
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    ContactFactory,
    ContactLogFactory,
    SegmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(api: APIClient, write_token: str) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {write_token}")
    return api


@pytest.fixture
def account(alice: Any) -> Account:
    return AccountFactory.create(owner=alice)


def counts() -> tuple[int, int, int]:
    return ContactLog.objects.count(), Issue.objects.count(), Account.objects.count()


def log_body(target: Account, **changes: Any) -> dict[str, Any]:
    body = {
        "account": target.pk,
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "channel": "phone",
        "summary": "They said the delivery was late.",
        "issues": [{"department": target.owner.department_id, "verbatim": "Late again."}],
    }
    return body | changes


def test_an_oversized_body_is_refused_with_a_clear_json_error(system: APIClient, account: Account) -> None:
    before = counts()
    body = json.dumps(log_body(account, summary="x" * (6 * 1024 * 1024)))

    response = system.post(reverse("api:contact-logs"), body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than 5 MB."
    assert counts() == before


def test_malformed_json_is_a_400_naming_the_problem(system: APIClient, account: Account) -> None:
    before = counts()

    response = system.post(
        reverse("api:contact-logs"), '{"account": 1, "summary": "unterminated', content_type="application/json"
    )

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert counts() == before


def test_wrong_types_are_a_400_naming_every_field_and_nothing_is_saved(system: APIClient, account: Account) -> None:
    before = counts()
    body = log_body(account, account="one", occurred_at=12, rating="five", issues=[{"department": "x", "verbatim": 3}])

    response = system.post(reverse("api:contact-logs"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"account", "occurred_at", "rating", "issues.0.department"}
    assert counts() == before


def test_a_bad_second_issue_saves_neither_the_log_nor_the_first_issue(system: APIClient, account: Account) -> None:
    before = counts()
    issues = [{"department": account.owner.department_id, "verbatim": "Fine."}, {"department": 999999, "verbatim": "x"}]

    response = system.post(reverse("api:contact-logs"), log_body(account, issues=issues), format="json")

    assert response.status_code == 400
    assert "issues.1.department" in response.json()["errors"]
    assert counts() == before


def test_a_nul_byte_is_refused_but_other_unicode_is_kept_exactly(system: APIClient, account: Account) -> None:
    before = counts()
    refused = system.post(reverse("api:contact-logs"), log_body(account, summary="late\x00again"), format="json")
    assert refused.status_code == 400
    assert "summary" in refused.json()["errors"]
    assert counts() == before

    words = "Ça marche pas 🚚 — تأخر التسليم — 納期遅れ"
    created = system.post(reverse("api:contact-logs"), log_body(account, summary=words), format="json")
    assert created.status_code == 201
    assert ContactLog.objects.get(pk=created.json()["id"]).summary == words


@pytest.mark.parametrize("page_size", ["100000", "0", "-1", "ten", "1e3"])
def test_a_page_size_out_of_range_is_a_400(system: APIClient, page_size: str) -> None:
    response = system.get(reverse("api:accounts"), {"page_size": page_size})

    assert response.status_code == 400
    assert response.json()["errors"] == {"page_size": ["Send a whole number from 1 to 200."]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ordering": "password"}, "ordering"),
        ({"tier": "platinum"}, "tier"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": ""}, "updated_since"),
    ],
)
def test_an_unknown_ordering_or_a_bad_filter_value_is_a_400(
    system: APIClient, params: dict[str, str], field: str
) -> None:
    response = system.get(reverse("api:accounts"), params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_forged_cursor_is_a_404_not_a_500(system: APIClient) -> None:
    response = system.get(reverse("api:accounts"), {"cursor": "not base64!"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor", "errors": {}}


def test_a_form_with_too_many_fields_is_a_400_not_a_500(client: Any, alice: Any) -> None:
    client.force_login(alice)
    data = {f"field{i}": "x" for i in range(1200)}

    response = client.post(reverse("feedback:log"), data)

    assert response.status_code == 400


def test_a_binary_file_as_csv_is_refused_on_the_form_and_nothing_is_recorded(client: Any, alice: Any) -> None:
    client.force_login(alice)
    upload = SimpleUploadedFile("accounts.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", content_type="text/csv")

    response = client.post(reverse("accounts:import"), {"kind": "accounts", "file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert AccountImport.objects.count() == 0


def test_a_csv_over_the_size_cap_is_refused_before_it_is_read(client: Any, alice: Any) -> None:
    client.force_login(alice)
    big = SimpleUploadedFile("big.csv", b"name,segment\n" + b"a,b\n" * (1_400_000), content_type="text/csv")

    response = client.post(reverse("accounts:import"), {"kind": "accounts", "file": big})

    assert response.status_code == 200
    assert "larger than 5 MB" in str(response.context["form"].errors["file"])
    assert AccountImport.objects.count() == 0


@pytest.mark.parametrize(
    "route",
    [
        "api:accounts",
        "api:contacts",
        "api:contact-logs",
        "api:issues",
        "api:action-plans",
        "api:escalations",
        "api:priority-accounts",
        "api:kpis",
    ],
)
def test_an_unknown_or_misspelt_parameter_is_refused_by_name(route: str, api: Any, read_token: str) -> None:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    response = api.get(reverse(route), {"teir": "key"})
    assert response.status_code == 400
    assert "Unknown parameter" in response.json()["errors"]["teir"][0]


# --- bodies no field can hold: lone surrogates, deep nesting -------------------------------------------------

IDEMPOTENCY_KEYS = [pytest.param({}, id="no-key"), pytest.param({"Idempotency-Key": "k-1"}, id="with-key")]
LONE_SURROGATE = "\\ud800"  # a JSON escape: valid JSON, but no Unicode text


def account_json(alice: Any, name: str = "Contoso") -> str:
    segment = SegmentFactory.create(name="Utilities", slug="utilities")
    return f'{{"name": "{name}", "segment": "{segment.slug}", "owner": {alice.pk}}}'


@pytest.mark.parametrize("headers", IDEMPOTENCY_KEYS)
def test_a_lone_surrogate_in_an_account_is_a_400_naming_the_field(
    system: APIClient, alice: Any, headers: dict[str, str]
) -> None:
    body = account_json(alice, name=f"Contoso {LONE_SURROGATE}")

    response = system.post(reverse("api:accounts"), body, content_type="application/json", headers=headers)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["name"]
    assert not Account.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("headers", IDEMPOTENCY_KEYS)
@pytest.mark.parametrize(
    ("where", "field"),
    [("summary", "summary"), ("issues", "issues.0.verbatim"), ("key", f"issues.0.{LONE_SURROGATE}")],
)
def test_a_lone_surrogate_in_a_contact_log_is_a_400_naming_where_it_is(
    system: APIClient, account: Account, headers: dict[str, str], where: str, field: str
) -> None:
    body = json.dumps(log_body(account, summary="PLACEHOLDER", issues=[{"department": 1, "verbatim": "ISSUE"}]))
    body = body.replace("PLACEHOLDER", LONE_SURROGATE if where == "summary" else "Late.")
    body = body.replace('"ISSUE"', f'"{LONE_SURROGATE}"' if where == "issues" else '"Late again."')
    if where == "key":
        body = body.replace('"verbatim"', f'"{LONE_SURROGATE}": 1, "verbatim"')
    before = counts()

    response = system.post(reverse("api:contact-logs"), body, content_type="application/json", headers=headers)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert counts() == before
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("headers", IDEMPOTENCY_KEYS)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 1200 + "]" * 1200, id="a-deep-body"),
        pytest.param('{"name": ' + "[" * 1200 + "]" * 1200 + "}", id="a-deep-field"),
        pytest.param('{"name": ' + "[" * 100 + "]" * 100 + "}", id="deeper-than-32"),
    ],
)
def test_json_nested_too_deep_is_a_400_not_a_recursion_error(
    system: APIClient, headers: dict[str, str], body: str
) -> None:
    response = system.post(reverse("api:accounts"), body, content_type="application/json", headers=headers)

    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]
    assert not IdempotencyKey.objects.exists()


# --- an Idempotency-Key whose request failed validation may be used again ----------------------------------------


def test_a_key_refused_with_a_400_may_be_reused_with_the_corrected_body(system: APIClient, alice: Any) -> None:
    segment = SegmentFactory.create(name="Utilities", slug="utilities")
    good = {"name": "Contoso", "segment": segment.slug, "owner": alice.pk}
    key = {"Idempotency-Key": "account-7"}

    refused = system.post(reverse("api:accounts"), good | {"owner": "nobody"}, format="json", headers=key)
    created = system.post(reverse("api:accounts"), good, format="json", headers=key)
    replayed = system.post(reverse("api:accounts"), good, format="json", headers=key)

    assert (refused.status_code, created.status_code, replayed.status_code) == (400, 201, 201)
    assert replayed.json()["id"] == created.json()["id"]
    assert replayed["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in created.headers
    assert Account.objects.count() == 1


# --- dates and times out of range, in query strings, forms and the API ----------------------------------------

IMPOSSIBLE_MOMENTS = [
    "2026-13-45T00:00",  # no such month
    "2026-02-30",  # no such day
    "9999-12-31T23:59:59-23:59",  # after the year 9999 in UTC
    "0001-01-01",  # before the year 1 in UTC (Amsterdam was +00:19:32 then)
]


@pytest.mark.parametrize("before", IMPOSSIBLE_MOMENTS)
def test_an_impossible_timeline_position_is_a_400_page_that_says_so(
    client: Any, alice: Any, account: Account, before: str
) -> None:
    client.force_login(alice)

    response = client.get(reverse("accounts:timeline", args=[account.pk]), {"before": before})

    assert response.status_code == 400
    assert "?before=" in response.content.decode()


@pytest.mark.parametrize(
    "route", ["accounts:list", "accounts:export", "dashboards:priority", "dashboards:priority-export"]
)
@pytest.mark.parametrize("updated_since", IMPOSSIBLE_MOMENTS)
def test_an_impossible_updated_since_on_a_page_is_a_400_not_an_unfiltered_list(
    client: Any, alice: Any, account: Account, route: str, updated_since: str
) -> None:
    client.force_login(alice)

    response = client.get(reverse(route), {"updated_since": updated_since})

    assert response.status_code == 400
    assert "updated_since" in response.content.decode()


def quick_log(target: Account, **changes: Any) -> dict[str, Any]:
    data = {
        "account": target.pk,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "topics": ["delivery"],
        "summary": "The delivery was late.",
    }
    return data | changes


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("occurred_at", "0001-01-01T00:00"),
        ("occurred_at", "1900-01-01T00:00"),
        ("occurred_at", "9999-12-31T23:59"),
        ("next_contact_on", "0001-01-01"),
        ("next_contact_on", "9999-12-31"),
    ],
)
def test_a_quick_log_date_out_of_range_is_a_form_error(
    client: Any, alice: Any, account: Account, field: str, value: str
) -> None:
    client.force_login(alice)

    response = client.post(reverse("feedback:log"), quick_log(account, **{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"edit-due_on": "0001-01-01"},
        {"edit-due_on": "9999-12-31"},
        {"edit-promise_on": "9999-12-31"},
    ],
)
def test_a_plan_date_out_of_range_is_a_form_error(client: Any, alice: Any, changes: dict[str, str]) -> None:
    plan = ActionPlanFactory.create(account=AccountFactory.create(owner=alice), owner=alice)
    client.force_login(alice)
    data = {
        "edit-title": plan.title,
        "edit-owner": alice.pk,
        "edit-due_on": plan.due_on.isoformat(),
        "edit-version": plan.version,
    }

    response = client.post(reverse("actionplans:edit", args=[plan.pk]), data | changes)

    assert response.status_code == 200
    field = next(iter(changes)).removeprefix("edit-")
    assert "Enter a date from 1 January 2000" in str(response.context["form"].errors[field])
    plan.refresh_from_db()
    assert plan.version == 1


def test_conversation_times_out_of_range_are_refused_by_the_api_as_by_the_page(
    system: APIClient, account: Account
) -> None:
    too_early = log_body(account, occurred_at="1999-12-31T12:00:00Z")
    too_late = log_body(account, next_contact_on=(timezone.localdate() + timedelta(days=6 * 366)).isoformat())
    far_out = log_body(account, occurred_at="0001-01-01T00:00:00+23:59")
    before = counts()

    responses = [system.post(reverse("api:contact-logs"), body, format="json") for body in (too_early, too_late)]
    overflow = system.post(reverse("api:contact-logs"), far_out, format="json")

    assert [r.status_code for r in responses] == [400, 400]
    assert "Enter a date from 1 January 2000" in responses[0].json()["errors"]["occurred_at"][0]
    assert "Enter a date from 1 January 2000" in responses[1].json()["errors"]["next_contact_on"][0]
    assert (overflow.status_code, list(overflow.json()["errors"])) == (400, ["occurred_at"])
    assert counts() == before


def test_editing_a_conversation_out_of_range_is_refused_by_the_api(
    api: APIClient, alice: Any, account: Account
) -> None:
    log = ContactLogFactory.create(account=account, author=alice)
    api.force_authenticate(alice)

    response = api.patch(
        reverse("api:contact-log", kwargs={"pk": log.pk}),
        {"occurred_at": "1999-06-01T10:00:00Z", "version": 1},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["occurred_at"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_on": "9999-12-31"}, "due_on"),
        ({"promise_on": "1999-12-31"}, "promise_on"),
        ({"steps": [{"title": "Call them", "due_on": "0001-01-01"}]}, "steps.0.due_on"),
    ],
)
def test_plan_dates_out_of_range_are_refused_by_the_api(
    system: APIClient, account: Account, changes: dict[str, Any], field: str
) -> None:
    body = {
        "account": account.pk,
        "title": "Fix the deliveries",
        "owner": account.owner_id,
        "department": account.owner.department_id,
        "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }

    response = system.post(reverse("api:action-plans"), body | changes, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ActionPlan.objects.exists()


def test_sane_dates_are_from_2000_to_five_years_ahead() -> None:
    from kernel import dates

    today = date(2026, 3, 1)

    assert dates.out_of_range(date(2000, 1, 1), today=today) is None
    assert dates.out_of_range(date(2031, 3, 1), today=today) is None
    assert dates.out_of_range(date(1999, 12, 31), today=today) is not None
    assert dates.out_of_range(date(2031, 3, 2), today=today) is not None


# --- date-times in responses: a sane offset --------------------------------------------------------------------


def test_a_stored_time_before_1901_is_written_in_utc_never_with_a_seconds_offset(
    system: APIClient, account: Account
) -> None:
    log = ContactLogFactory.create(account=account, occurred_at=datetime(1900, 1, 1, 12, 0, tzinfo=UTC))
    recent = ContactLogFactory.create(account=account)

    old = system.get(reverse("api:contact-log", kwargs={"pk": log.pk})).json()
    new = system.get(reverse("api:contact-log", kwargs={"pk": recent.pk})).json()

    assert old["occurred_at"] == "1900-01-01T12:00:00Z"
    assert new["occurred_at"].endswith(timezone.localtime(recent.occurred_at).strftime("%z")[:3] + ":00")


# --- ids beyond 64 bits: an unknown choice, never an overflow --------------------------------------------------


HUGE_ID = "99999999999999999999999"  # beyond 64 bits


@pytest.mark.parametrize("field", ["our_participants", "their_participants", "account"])
def test_an_id_beyond_64_bits_in_the_quick_log_is_a_form_error(
    client: Any, alice: Any, account: Account, field: str
) -> None:
    client.force_login(alice)

    response = client.post(reverse("feedback:log"), quick_log(account, **{field: [HUGE_ID]}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("field", ["owner", "segment", "executive_sponsor"])
def test_an_id_beyond_64_bits_in_the_account_form_is_a_form_error(client: Any, alice: Any, field: str) -> None:
    segment = SegmentFactory.create()
    client.force_login(alice)
    data = {"name": "Contoso", "segment": segment.pk, "owner": alice.pk, "status": "active"}

    response = client.post(reverse("accounts:create"), data | {field: HUGE_ID})

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Account.objects.exists()


def test_an_id_beyond_64_bits_in_the_plan_list_matches_nothing_as_an_unknown_id_does(client: Any, alice: Any) -> None:
    ActionPlanFactory.create(account=AccountFactory.create(owner=alice), owner=alice)
    client.force_login(alice)

    response = client.get(reverse("actionplans:list"), {"account": HUGE_ID})

    assert response.status_code == 200
    assert list(response.context["page"]) == []


# --- no existence leaks: a hidden record answers as a missing one -------------------------------------------------


@pytest.fixture
def hidden(alice: Any) -> Account:
    """A confidential account of alice's: no API client, and no account manager but alice, may see it."""
    return AccountFactory.create(name="Hush Industries", owner=alice, is_confidential=True, external_id="HUSH-1")


@pytest.fixture
def visible(alice: Any) -> Account:
    return AccountFactory.create(name="Open Industries", owner=alice, external_id="OPEN-1")


@pytest.fixture
def carol(db: Any) -> User:
    """An account manager on no account's team."""
    return UserFactory.create(email="carol@example.com", full_name="Carol Other", role=Role.ACCOUNT_MANAGER)


def test_an_external_id_of_a_hidden_account_is_refused_as_any_taken_one_in_the_api(
    system: APIClient, alice: Any, hidden: Account, visible: Account
) -> None:
    segment = SegmentFactory.create(name="Utilities", slug="utilities")
    body = {"name": "Contoso", "segment": segment.slug, "owner": alice.pk}

    for_hidden = system.post(reverse("api:accounts"), body | {"external_id": "HUSH-1"}, format="json")
    for_visible = system.post(reverse("api:accounts"), body | {"external_id": "OPEN-1"}, format="json")

    assert (for_hidden.status_code, for_hidden.json()) == (for_visible.status_code, for_visible.json())
    assert list(for_hidden.json()["errors"]) == ["external_id"]
    assert "Hush" not in for_hidden.content.decode()
    assert str(hidden.pk) not in json.dumps(for_hidden.json()["errors"])


def test_an_upsert_of_a_hidden_external_id_answers_as_for_a_missing_one(
    system: APIClient, api: APIClient, alice: Any, bob: Any, hidden: Account
) -> None:
    segment = SegmentFactory.create(name="Utilities", slug="utilities")
    body = {"name": "Exposed", "segment": segment.slug, "owner": alice.pk}
    url = reverse("api:account-by-external-id", kwargs={"external_id": "HUSH-1"})
    missing = reverse("api:account-by-external-id", kwargs={"external_id": "NONE-1"})

    read = system.get(url)
    stale = system.put(url, body | {"version": 1}, format="json")
    stale_missing = system.put(missing, body | {"version": 1}, format="json")
    create = system.put(url, body, format="json")
    staff = APIClient()
    staff.force_authenticate(bob)  # may not create accounts: the same 403 whether or not one is hidden there

    assert read.status_code == 404
    assert (stale.status_code, stale.json()) == (stale_missing.status_code, stale_missing.json())
    assert (create.status_code, list(create.json()["errors"])) == (400, ["external_id"])
    assert "Hush" not in create.content.decode()
    assert staff.put(url, body, format="json").status_code == staff.put(missing, body, format="json").status_code
    hidden.refresh_from_db()
    assert hidden.name == "Hush Industries"


def test_the_account_form_refuses_a_hidden_external_id_as_any_taken_one(
    client: Any, carol: User, hidden: Account, visible: Account
) -> None:
    segment = SegmentFactory.create()
    client.force_login(carol)
    data = {"name": "Contoso", "segment": segment.pk, "owner": carol.pk, "status": "active"}

    for_hidden = client.post(reverse("accounts:create"), data | {"external_id": "HUSH-1"})
    for_visible = client.post(reverse("accounts:create"), data | {"external_id": "OPEN-1"})

    assert for_hidden.context["form"].errors == for_visible.context["form"].errors
    assert list(for_hidden.context["form"].errors) == ["external_id"]
    assert "Hush" not in for_hidden.content.decode()


def csv_upload(client: Any, kind: str, text: str) -> AccountImport:
    file = SimpleUploadedFile("upload.csv", text.encode(), content_type="text/csv")
    client.post(reverse("accounts:import"), {"kind": kind, "file": file})
    return AccountImport.objects.latest("id")


def test_the_csv_import_reports_a_hidden_external_id_as_any_taken_one(
    client: Any, carol: User, hidden: Account, visible: Account
) -> None:
    SegmentFactory.create(name="National", slug="national")
    client.force_login(carol)
    header = "name,external_id,segment,owner_email\n"

    job = csv_upload(
        client, "accounts", header + "A,HUSH-1,national,carol@example.com\nB,OPEN-1,national,carol@example.com\n"
    )

    messages = [error["message"] for error in job.errors]
    assert messages == [
        "An account with external_id “HUSH-1” already exists.",
        "An account with external_id “OPEN-1” already exists.",
    ]
    assert "Hush" not in json.dumps(job.errors)


def test_the_contact_import_reports_a_hidden_account_as_a_missing_one(
    client: Any, carol: User, hidden: Account
) -> None:
    ContactFactory.create(account=hidden)
    client.force_login(carol)
    header = "account_external_id,name\n"

    job = csv_upload(client, "contacts", header + "HUSH-1,Quinn\nNONE-1,Quinn\n")

    assert [error["message"] for error in job.errors] == [
        "There is no account with external_id “HUSH-1”.",
        "There is no account with external_id “NONE-1”.",
    ]


def cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "route", ["api:accounts", "api:contacts", "api:contact-logs", "api:issues", "api:escalations", "api:webhooks"]
)
@pytest.mark.parametrize(
    "forged",
    [
        pytest.param("not base64!", id="not-base64"),
        pytest.param("%%%", id="garbled"),
        pytest.param("", id="blank"),
        pytest.param(cursor("r=maybe"), id="bad-direction"),
        pytest.param(cursor("o=-1"), id="negative-offset"),
        pytest.param(cursor("p=2026-13-45"), id="impossible-date"),
        pytest.param(cursor("p=9999-12-31T23:59:59-23:59"), id="date-beyond-utc"),
        pytest.param(cursor("p=0001-01-01"), id="date-before-utc"),
        pytest.param(cursor(f"p={HUGE_ID}"), id="id-beyond-64-bits"),
    ],
)
def test_a_forged_or_garbled_cursor_is_a_404_on_every_list(
    system: APIClient, account: Account, route: str, forged: str
) -> None:
    response = system.get(reverse(route), {"cursor": forged})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor", "errors": {}}


def test_a_real_cursor_still_pages(system: APIClient, alice: Any) -> None:
    AccountFactory.create_batch(3, owner=alice)

    first = system.get(reverse("api:accounts"), {"page_size": "2", "ordering": "updated_at"}).json()
    second = system.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert {row["id"] for row in first["results"]}.isdisjoint({row["id"] for row in second["results"]})
