from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client: Any) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_logs_in_with_email_and_password(client: Any, alice: Any) -> None:
    response = client.post(reverse("login"), {"username": "alice@example.com", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Alice" in response.content.decode()


def test_a_wrong_password_shows_an_error_and_keeps_the_email(client: Any, alice: Any) -> None:
    response = client.post(reverse("login"), {"username": "alice@example.com", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "correct email and password" in html
    assert 'value="alice@example.com"' in html


def test_the_layout_links_every_area(client: Any, alice: Any) -> None:
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    for area in ("Accounts", "Inbox", "Plans", "Dashboard"):
        assert f">{area}</a>" in html


def test_no_page_loads_anything_from_another_host(client: Any, alice: Any) -> None:
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    assert "<script>" not in html  # no inline scripts: behaviour lives in static files


def test_password_change_keeps_the_user_logged_in(client: Any, alice: Any) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer new secret 42",
            "new_password2": "a much longer new secret 42",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password("a much longer new secret 42")


def test_logout_is_a_post(client: Any, alice: Any) -> None:
    client.force_login(alice)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
