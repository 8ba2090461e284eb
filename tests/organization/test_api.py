from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from organization.models import ApiClient, Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def as_system(api: APIClient, token: str) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_me_with_a_client_token_names_the_client(api: APIClient, read_token: str) -> None:
    response = as_system(api, read_token).get(reverse("api:me"))
    assert response.status_code == 200
    assert response.json()["kind"] == "api_client"
    assert response.json()["name"] == "scheduling"
    assert response.json()["scopes"] == ["read"]


def test_me_without_credentials_is_401_with_the_error_body(api: APIClient) -> None:
    response = api.get(reverse("api:me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"detail", "errors"}


def test_me_with_a_wrong_token_is_401(api: APIClient, read_token: str) -> None:
    forged = read_token[:-4] + ("AAAA" if not read_token.endswith("AAAA") else "BBBB")
    response = as_system(api, forged).get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked token."


def test_a_malformed_authorization_header_is_401(api: APIClient) -> None:
    api.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert api.get(reverse("api:me")).status_code == 401


def test_a_revoked_client_is_401(api: APIClient, read_token: str) -> None:
    ApiClient.objects.update(is_active=False)
    assert as_system(api, read_token).get(reverse("api:me")).status_code == 401


def test_me_for_a_logged_in_user_describes_the_user(api: APIClient, alice: Any) -> None:
    api.force_authenticate(alice)
    body = api.get(reverse("api:me")).json()
    assert body["kind"] == "user"
    assert body["email"] == "alice@example.com"
    assert body["role"] == "account_manager"


def test_the_token_is_stored_only_as_a_digest(read_token: str) -> None:
    client = ApiClient.objects.get()
    assert read_token not in {client.token_hash, client.token_prefix}
    assert client.token_matches(read_token)


def test_using_a_token_records_last_used(api: APIClient, read_token: str) -> None:
    as_system(api, read_token).get(reverse("api:me"))
    assert ApiClient.objects.get().last_used_at is not None


def test_a_read_only_client_cannot_write(api: APIClient, read_token: str) -> None:
    response = as_system(api, read_token).post(reverse("api:departments"), {"name": "Logistics"}, format="json")
    assert response.status_code == 403
    assert response.json()["errors"] == {}
    assert not Department.objects.filter(name="Logistics").exists()


def test_a_write_client_creates_a_department(api: APIClient, write_token: str) -> None:
    response = as_system(api, write_token).post(reverse("api:departments"), {"name": "Logistics"}, format="json")
    assert response.status_code == 201
    assert response.json()["slug"] == "logistics"


def test_a_staff_user_cannot_create_departments(api: APIClient, bob: Any) -> None:
    api.force_authenticate(bob)
    assert api.post(reverse("api:departments"), {"name": "Logistics"}, format="json").status_code == 403


def test_bad_input_gets_a_field_level_400_and_writes_nothing(api: APIClient, write_token: str) -> None:
    before = Department.objects.count()
    response = as_system(api, write_token).post(reverse("api:departments"), {"name": ""}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    assert Department.objects.count() == before


def test_a_duplicate_department_name_is_a_400_not_a_500(api: APIClient, write_token: str) -> None:
    payload = {"name": "ENGINEERING", "slug": "eng-2"}
    response = as_system(api, write_token).post(reverse("api:departments"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_malformed_json_is_a_400(api: APIClient, write_token: str) -> None:
    response = as_system(api, write_token).generic(
        "POST", reverse("api:departments"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_department_list_is_cursor_paginated_by_name(api: APIClient, read_token: str) -> None:
    for name in ("Quality", "Billing", "Field Service"):
        DepartmentFactory.create(name=name)
    body = as_system(api, read_token).get(reverse("api:departments"), {"page_size": 2}).json()
    assert [d["name"] for d in body["results"]] == ["Billing", "Engineering"]
    rest = api.get(body["next"]).json()
    assert [d["name"] for d in rest["results"]] == ["Field Service", "Quality"]
    assert rest["next"] is None


@pytest.mark.parametrize("count", [1, 30])
def test_department_list_query_count_does_not_grow(
    api: APIClient, read_token: str, django_assert_num_queries: Any, count: int
) -> None:
    DepartmentFactory.create_batch(count)
    # the client by token prefix, its last_used_at and hourly audit claim, the audit row,
    # the page of departments (+lead, member counts)
    with django_assert_num_queries(4):
        response = as_system(api, read_token).get(reverse("api:departments"))
    assert response.status_code == 200


def test_each_client_has_its_own_rate_limit(api: APIClient, read_token: str, write_token: str, settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "2/min"}}
    statuses = [as_system(api, read_token).get(reverse("api:me")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert as_system(api, write_token).get(reverse("api:me")).status_code == 200


def test_the_schema_is_valid_openapi_3(tmp_path: Any) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3")


def test_swagger_ui_loads_its_assets_from_our_own_static_files(client: Any, alice: Any) -> None:
    client.force_login(alice)  # the schema and its UI are for people and systems that may use the API
    html = client.get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
