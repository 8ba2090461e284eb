"""The API's front door and its docs page: what a person or a system finds first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_every_resource_with_its_address(api: APIClient, read_token: str) -> None:
    response = api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {read_token}")

    assert response.status_code == 200
    body = response.json()
    resources = {r["name"]: r["url"] for r in body["resources"]}
    assert resources["accounts"] == "http://testserver/api/v1/accounts"
    assert {"me", "departments", "contact-logs", "issues", "action-plans", "escalations", "kpis"} <= set(resources)
    assert all("<" not in url for url in resources.values())
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["docs"] == "http://testserver/api/docs/"


def test_every_resource_the_root_lists_answers(api: APIClient, read_token: str) -> None:
    urls = [r["url"] for r in api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {read_token}").json()["resources"]]

    answers = {url: api.get(url, HTTP_AUTHORIZATION=f"Bearer {read_token}").status_code for url in urls}

    assert set(answers.values()) == {200}, answers


def test_the_api_root_needs_credentials_like_the_rest_of_the_api(api: APIClient) -> None:
    response = api.get("/api/v1/")

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_the_api_docs_send_a_logged_out_visitor_to_the_login_page_and_back(client: Client, alice: Any) -> None:
    response = client.get(reverse("api-docs"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/api/docs/"
    back = client.post(response["Location"], {"username": "alice@example.com", "password": PASSWORD}, follow=False)
    assert back["Location"] == "/api/docs/"
    assert client.get(back["Location"]).status_code == 200
