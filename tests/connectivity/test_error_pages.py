"""The app's own 404 and 500 pages, and the API's JSON bodies for both."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import selectors as account_selectors
from connectivity import urls, views
from feedback import selectors as feedback_selectors

pytestmark = pytest.mark.django_db


def boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the database went away")


def test_a_missing_page_is_the_apps_styled_404(client: Client, alice: Any) -> None:
    client.force_login(alice)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We can't find that page" in html
    assert "/no/such/page/" in html
    assert 'aria-label="Main"' in html  # the navbar: the 404 extends base.html
    assert reverse("home") in html


def test_a_hidden_record_is_the_same_404_as_a_missing_one(client: Client, bob: Any) -> None:
    client.force_login(bob)

    response = client.get(reverse("accounts:detail", args=[999_999]))

    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


def test_a_logged_out_visitor_gets_the_404_without_the_navbar(client: Client) -> None:
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()
    assert 'aria-label="Main"' not in response.content.decode()


def test_a_missing_api_path_keeps_its_json_404(client: Client) -> None:
    response = client.get("/api/v1/no-such-resource")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_a_crash_in_a_page_is_the_apps_500(client: Client, alice: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feedback_selectors, "search_matches", boom)
    client.raise_request_exception = False
    client.force_login(alice)

    response = client.get(reverse("feedback:search"), {"q": "pump"})

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "bootstrap.min.css" in html
    assert "the database went away" not in html


def test_a_crash_in_the_api_is_a_json_500(api: Any, read_token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(account_selectors, "accounts_for_user", boom)
    api.raise_request_exception = False

    response = api.get("/api/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {read_token}")

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "errors": {}}


def test_the_500_page_needs_neither_the_database_nor_the_context_processors(
    rf: RequestFactory, django_assert_num_queries: Any, settings: Any
) -> None:
    # A context processor that fails as a dead database would: the 500 page must not run it.
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"], "context_processors": [f"{__name__}.boom"]},
        }
    ]
    request = rf.get("/accounts/")

    with django_assert_num_queries(0):
        response = views.server_error(request)

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_the_500_page_falls_back_to_plain_html_when_its_template_fails(
    rf: RequestFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.template.loader.get_template", boom)

    response = views.server_error(rf.get("/accounts/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_the_project_routes_server_errors_to_its_handler() -> None:
    assert urls.handler500 == "connectivity.views.server_error"
