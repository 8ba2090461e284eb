"""Security headers, cookies and the content security policy: no inline script may run, none is written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_page_sends_a_policy_that_allows_only_our_own_scripts(client: Any) -> None:
    csp = directives(client.get(reverse("login")))

    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["style-src"]


def test_the_security_headers_are_set(client: Any) -> None:
    response = client.get(reverse("login"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_the_api_gets_the_same_headers(api: Any, read_token: str) -> None:
    response = api.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {read_token}")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def test_session_and_csrf_cookies_are_secure_httponly_and_same_site(client: Any, alice: Any) -> None:
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "alice@example.com", "password": PASSWORD})

    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    csrf = client.cookies["csrftoken"]
    assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, True, "Lax")


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        html = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.relative_to(TEMPLATES)}: {tag}")
        offenders += [f"{template.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"\son[a-z]+\s*=", html)]
        offenders += [f"{template.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"javascript:", html)]
    assert not offenders, "Inline script (move it to static/js/): " + "; ".join(offenders)


def test_the_swagger_ui_runs_without_inline_script(client: Any, alice: Any) -> None:
    client.force_login(alice)
    html = client.get(reverse("api-docs")).content.decode()

    inline = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
    assert not inline
