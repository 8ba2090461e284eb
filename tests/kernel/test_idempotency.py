from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts import services as account_services
from feedback import services as feedback_services
from feedback.models import ContactLog
from kernel.api import idempotency
from kernel.models import IdempotencyKey
from organization import services as organization_services
from organization.models import ApiClient, Department, User
from tests.factories import AccountFactory, SegmentFactory

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def as_system(api: APIClient, token: str) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def create_department(api: APIClient, name: str, key: str | None) -> Any:
    headers = {} if key is None else {"Idempotency-Key": key}
    return api.post(reverse("api:departments"), {"name": name}, format="json", headers=headers)


def test_without_a_key_every_post_runs(api: APIClient, write_token: str) -> None:
    as_system(api, write_token)

    first = create_department(api, "Logistics", None)
    second = create_department(api, "Logistics", None)

    assert (first.status_code, second.status_code) == (201, 400)  # the second is a duplicate name
    assert not IdempotencyKey.objects.exists()


def test_a_retry_replays_the_stored_response_and_runs_nothing(api: APIClient, write_token: str) -> None:
    as_system(api, write_token)

    first = create_department(api, "Logistics", "dept-1")
    retry = create_department(api, "Logistics", "dept-1")

    assert (retry.status_code, retry.json()) == (first.status_code, first.json()) == (201, first.json())
    assert "Idempotent-Replayed" not in first.headers
    assert retry["Idempotent-Replayed"] == "true"
    assert Department.objects.filter(name="Logistics").count() == 1
    key = IdempotencyKey.objects.get()
    assert (key.method, key.path, key.response_status) == ("POST", reverse("api:departments"), 201)
    assert key.principal.startswith("client:")


def test_a_replay_repeats_the_location_and_etag_of_a_created_account(
    api: APIClient, write_token: str, alice: User
) -> None:
    SegmentFactory.create(name="Utilities", slug="utilities")
    body = {"name": "Contoso", "segment": "utilities", "owner": alice.pk}
    as_system(api, write_token)

    first = api.post(reverse("api:accounts"), body, format="json", headers={"Idempotency-Key": "acct-1"})
    retry = api.post(reverse("api:accounts"), body, format="json", headers={"Idempotency-Key": "acct-1"})

    assert first.status_code == retry.status_code == 201
    assert (retry["Location"], retry["ETag"]) == (first["Location"], first["ETag"])
    assert retry.json() == first.json()


def test_the_same_key_with_another_body_is_a_422(api: APIClient, write_token: str) -> None:
    as_system(api, write_token)
    create_department(api, "Logistics", "dept-1")

    response = create_department(api, "Procurement", "dept-1")

    assert response.status_code == 422
    assert set(response.json()) == {"detail", "errors"}
    assert not Department.objects.filter(name="Procurement").exists()


def test_the_same_key_at_another_endpoint_is_a_422(api: APIClient, write_token: str) -> None:
    as_system(api, write_token)
    create_department(api, "Logistics", "shared")

    response = api.post(
        reverse("api:accounts"), {"name": "Logistics"}, format="json", headers={"Idempotency-Key": "shared"}
    )

    assert response.status_code == 422


def test_a_request_refused_with_a_400_leaves_its_key_unused(api: APIClient, write_token: str) -> None:
    as_system(api, write_token)

    first = create_department(api, "", "dept-1")
    retry = create_department(api, "", "dept-1")

    assert (first.status_code, retry.status_code) == (400, 400)
    assert retry.json() == first.json()
    assert "Idempotent-Replayed" not in retry.headers  # it ran again: nothing was stored
    assert not IdempotencyKey.objects.exists()


def test_keys_are_per_principal(api: APIClient, write_token: str, admin_user: User) -> None:
    as_system(api, write_token)
    create_department(api, "Logistics", "same-string")

    as_person = APIClient()
    as_person.force_authenticate(admin_user)
    response = create_department(as_person, "Procurement", "same-string")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    client = ApiClient.objects.get()
    assert sorted(IdempotencyKey.objects.values_list("principal", flat=True)) == [
        f"client:{client.pk}",
        f"user:{admin_user.pk}",
    ]


@pytest.mark.parametrize("key", ["", "x" * 201, "with space", "naïve"])
def test_a_malformed_key_is_a_400_and_runs_nothing(api: APIClient, write_token: str, key: str) -> None:
    response = create_department(as_system(api, write_token), "Logistics", key)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"Idempotency-Key"}
    assert not Department.objects.filter(name="Logistics").exists()


def test_a_key_of_200_characters_is_accepted(api: APIClient, write_token: str) -> None:
    assert create_department(as_system(api, write_token), "Logistics", "k" * 200).status_code == 201


def test_a_conflict_is_not_stored_so_the_retry_runs(
    api: APIClient, write_token: str, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    SegmentFactory.create(name="Utilities", slug="utilities")
    body = {"name": "Contoso", "segment": "utilities", "owner": alice.pk}
    real_create = account_services.create_account

    def lose_the_race(**kwargs: Any) -> Any:
        raise IntegrityError("duplicate key value violates unique constraint")

    as_system(api, write_token)
    monkeypatch.setattr(account_services, "create_account", lose_the_race)
    conflict = api.post(reverse("api:accounts"), body, format="json", headers={"Idempotency-Key": "acct-1"})
    monkeypatch.setattr(account_services, "create_account", real_create)
    retry = api.post(reverse("api:accounts"), body, format="json", headers={"Idempotency-Key": "acct-1"})

    assert (conflict.status_code, retry.status_code) == (409, 201)
    assert "Idempotent-Replayed" not in retry.headers


def test_a_server_error_is_not_stored_and_rolls_everything_back(
    api: APIClient, write_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = organization_services.create_department

    def create_then_fail(**kwargs: Any) -> Any:
        real_create(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(organization_services, "create_department", create_then_fail)
    api.raise_request_exception = False

    response = create_department(as_system(api, write_token), "Logistics", "dept-1")

    assert response.status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert not Department.objects.filter(name="Logistics").exists()


def test_a_key_is_forgotten_after_24_hours(api: APIClient, write_token: str) -> None:
    as_system(api, write_token)
    create_department(api, "Logistics", "dept-1")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = create_department(api, "Procurement", "dept-1")

    assert response.status_code == 201
    assert IdempotencyKey.objects.get().response_body == response.json()


def test_expired_keys_are_deleted_and_fresh_ones_kept(api: APIClient, write_token: str) -> None:
    as_system(api, write_token)
    create_department(api, "Logistics", "old")
    create_department(api, "Procurement", "new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    deleted = idempotency.delete_expired_idempotency_keys(now=timezone.now())

    assert deleted == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_a_request_that_loses_the_claim_replays_the_winners_response(
    api: APIClient, write_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_system(api, write_token)
    winner = create_department(api, "Logistics", "dept-1")
    real_stored = idempotency._stored
    lookups: list[str] = []

    def missed_at_first(attempt: Any, *, now: Any) -> Any:
        # As if the winner had not committed yet when the loser looked: the loser goes on to claim the key.
        lookups.append(attempt.key)
        return None if len(lookups) == 1 else real_stored(attempt, now=now)

    monkeypatch.setattr(idempotency, "_stored", missed_at_first)
    loser = create_department(api, "Logistics", "dept-1")

    assert len(lookups) == 2  # the claim failed on the unique constraint, then the loser read the stored response
    assert (loser.status_code, loser.json(), loser["Idempotent-Replayed"]) == (201, winner.json(), "true")
    assert Department.objects.filter(name="Logistics").count() == 1


def test_a_key_whose_request_is_in_progress_is_a_409(api: APIClient, write_token: str) -> None:
    client = as_system(api, write_token)
    create_department(client, "Logistics", "dept-1")
    IdempotencyKey.objects.update(response_status=None, response_body=None)

    response = create_department(client, "Logistics", "dept-1")

    assert response.status_code == 409
    assert response.json()["detail"] == "A request with this Idempotency-Key is in progress; retry shortly."


def test_every_post_of_the_api_documents_the_idempotency_key() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}

    assert posts
    for path, operation in posts.items():
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL: SQLite serialises writers, so requests never overlap")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_key_create_one_log(
    write_token: str, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = AccountFactory.create(owner=alice)
    body = {
        "account": account.pk,
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "channel": "phone",
        "summary": "They want the outage report by Friday.",
    }
    real_log_contact = feedback_services.log_contact
    runs: list[int] = []

    def slow_log_contact(**kwargs: Any) -> ContactLog:
        runs.append(1)
        log = real_log_contact(**kwargs)
        time.sleep(0.5)  # hold the transaction open: the other request must wait on the key
        return log

    monkeypatch.setattr(feedback_services, "log_contact", slow_log_contact)
    start = threading.Barrier(2)
    responses: list[Any] = []

    def post() -> None:
        try:
            api = as_system(APIClient(), write_token)
            start.wait()
            responses.append(
                api.post(reverse("api:contact-logs"), body, format="json", headers={"Idempotency-Key": "race"})
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert ContactLog.objects.count() == 1
    assert len(runs) == 1
    assert sorted(r.status_code for r in responses) == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
