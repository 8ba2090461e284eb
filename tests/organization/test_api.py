from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from organization import selectors, services
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


def test_a_client_over_its_rate_is_told_when_its_window_reopens(api: APIClient, read_token: str, settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "1/hour"}}
    assert as_system(api, read_token).get(reverse("api:me")).status_code == 200

    refused = api.get(reverse("api:me"))

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600


def test_the_schema_is_valid_openapi_3(tmp_path: Any) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3")


def test_swagger_ui_loads_its_assets_from_our_own_static_files(client: Any, alice: Any) -> None:
    client.force_login(alice)  # the schema and its UI are for people and systems that may use the API
    html = client.get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


# --- the token lookup, cached for a minute --------------------------------------------------------------------------


def client_queries(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "organization_apiclient" in query["sql"]]


def test_a_token_used_again_within_the_minute_costs_no_query(api: APIClient, read_token: str) -> None:
    assert as_system(api, read_token).get(reverse("api:me")).status_code == 200

    with CaptureQueriesContext(connection) as captured:
        assert api.get(reverse("api:me")).status_code == 200

    assert client_queries(captured) == []  # no lookup, no last_used_at write


def test_a_revoked_token_is_refused_on_the_very_next_call(api: APIClient, read_token: str) -> None:
    assert as_system(api, read_token).get(reverse("api:me")).status_code == 200

    services.revoke_api_client(client=ApiClient.objects.get())

    response = api.get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked token."


def test_a_token_another_process_cached_stops_working_when_revoked(
    api: APIClient, read_token: str, django_capture_on_commit_callbacks: Any
) -> None:
    other_process = caches.create_connection("default")  # its own connection to the same (shared) cache
    client = ApiClient.objects.get()
    key = selectors.api_client_cache_key(token_hash=client.token_hash)
    assert as_system(api, read_token).get(reverse("api:me")).status_code == 200
    assert isinstance(other_process.get(key), ApiClient)

    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_api_client(client=client)

    assert not isinstance(other_process.get(key), ApiClient)
    assert api.get(reverse("api:me")).status_code == 401


def test_a_client_saved_without_the_read_scope_is_refused_on_the_next_call(api: APIClient, read_token: str) -> None:
    assert as_system(api, read_token).get(reverse("api:me")).status_code == 200
    client = ApiClient.objects.get()

    client.can_read = False
    client.save()  # as the admin saves it

    assert api.get(reverse("api:me")).status_code == 403


def test_a_rotated_token_stops_working_at_once_and_the_new_one_works(api: APIClient, read_token: str) -> None:
    assert as_system(api, read_token).get(reverse("api:me")).status_code == 200

    new_token = services.rotate_api_client_token(client=ApiClient.objects.get())

    assert as_system(api, read_token).get(reverse("api:me")).status_code == 401
    assert as_system(api, new_token).get(reverse("api:me")).status_code == 200


def test_a_token_read_before_its_revocation_committed_is_not_cached_after_it(api: APIClient, read_token: str) -> None:
    client = ApiClient.objects.get()
    key = selectors.api_client_cache_key(token_hash=client.token_hash)
    seen_before = selectors.api_client_for_token(token=read_token)  # a request in flight read it still active

    services.revoke_api_client(client=client)
    cache.add(key, seen_before, selectors.API_CLIENT_CACHE_SECONDS)  # ...and tries to cache it afterwards

    assert not isinstance(cache.get(key), ApiClient)
    assert as_system(api, read_token).get(reverse("api:me")).status_code == 401
