"""Bad input everywhere is a clear 4xx with the error body, never a 500, and nothing is partly written."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account, AccountImport
from feedback.models import ContactLog, Issue
from kernel.models import IdempotencyKey
from tests.factories import (
    AccountFactory,
    SegmentFactory,
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
