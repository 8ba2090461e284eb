"""The audit log: logins, failed logins, lock-outs, permission denials, exports and API token use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from organization.models import ApiClient, AuditEvent
from tests.factories import PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def test_a_login_is_recorded_with_the_person_and_address(client: Any, alice: Any) -> None:
    client.post(reverse("login"), {"username": "alice@example.com", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")

    [event] = events(Kind.LOGIN)
    assert (event.user, event.ip, event.path) == (alice, "203.0.113.7", "/login/")


def test_a_failed_login_records_the_email_tried_but_never_the_password(client: Any, alice: Any) -> None:
    client.post(reverse("login"), {"username": "alice@example.com", "password": "hunter2-wrong"})

    [event] = events(Kind.LOGIN_FAILED)
    assert event.user is None
    assert event.detail == {"username": "alice@example.com"}
    assert "hunter2" not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_a_page_that_refuses_someone_records_who_and_where(client: Any, bob: Any) -> None:
    client.force_login(bob)  # staff: not allowed to change priority settings
    response = client.get(reverse("accounts:priority-settings"))

    assert response.status_code == 403
    [event] = events(Kind.PERMISSION_DENIED)
    assert (event.user, event.path, event.detail) == (bob, "/accounts/priority/", {"method": "GET"})


def test_an_api_refusal_records_the_client(api: APIClient, read_token: str) -> None:
    response = api.post(reverse("api:accounts"), {}, format="json", HTTP_AUTHORIZATION=f"Bearer {read_token}")

    assert response.status_code == 403
    [event] = events(Kind.PERMISSION_DENIED)
    assert event.api_client == ApiClient.objects.get(name="scheduling")
    assert event.user is None


def test_an_export_is_recorded_with_its_filters(client: Any, alice: Any) -> None:
    AccountFactory.create(owner=alice)
    client.force_login(alice)
    response = client.get(reverse("accounts:export"), {"status": "active"})
    b"".join(response.streaming_content)

    [event] = events(Kind.EXPORT)
    assert (event.user, event.detail) == (alice, {"export": "accounts", "filters": {"status": "active"}})


def test_token_use_is_recorded_once_an_hour_not_per_request(api: APIClient, read_token: str) -> None:
    def call() -> None:
        assert api.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {read_token}").status_code == 200

    call()
    call()
    call()
    assert len(events(Kind.API_TOKEN_USE)) == 1

    # An hour later: the claim is an hour old, and the minute the token's lookup is cached has long passed.
    ApiClient.objects.update(token_use_audited_at=timezone.now() - timedelta(hours=1, seconds=1))
    cache.clear()
    call()
    rows = events(Kind.API_TOKEN_USE)
    assert len(rows) == 2
    assert {row.api_client.name for row in rows if row.api_client} == {"scheduling"}
