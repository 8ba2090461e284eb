"""Login throttling: AXES_FAILURE_LIMIT wrong passwords lock that email out, from that address, for a while."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from organization.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client: Any, email: str, password: str, ip: str = "198.51.100.4") -> Any:
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(client: Any, times: int, email: str = "alice@example.com", ip: str = "198.51.100.4") -> list[int]:
    return [attempt(client, email, "wrong password", ip).status_code for _ in range(times)]


def test_the_fifth_wrong_password_locks_the_email_out_with_a_clear_page(client: Any, alice: Any, settings: Any) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5

    statuses = fail(client, 5)

    assert statuses == [200, 200, 200, 200, 429]
    html = attempt(client, "alice@example.com", PASSWORD).content.decode()
    assert "Too many failed logins" in html
    assert "locked out after 5 wrong passwords" in html
    assert "Try again in 15 minutes" in html
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, detail__username="alice@example.com").exists()


def test_the_right_password_does_not_get_in_while_locked_out(client: Any, alice: Any) -> None:
    fail(client, 5)

    response = attempt(client, "alice@example.com", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lock_out_is_for_that_email_from_that_address_only(client: Any, alice: Any, erin: Any) -> None:
    fail(client, 5)

    assert attempt(client, "erin@example.com", PASSWORD).status_code == 302  # another email, same address
    client.logout()
    assert attempt(client, "alice@example.com", PASSWORD, ip="198.51.100.99").status_code == 302


def test_a_successful_login_resets_the_count(client: Any, alice: Any) -> None:
    fail(client, 4)
    assert attempt(client, "alice@example.com", PASSWORD).status_code == 302
    client.logout()

    assert fail(client, 4) == [200, 200, 200, 200]
