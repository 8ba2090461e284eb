from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PASSWORD, AccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_page_trips_the_content_security_policy(page: Any, alice: Any) -> None:
    AccountFactory.create(owner=alice, name="Acme Tooling")
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(f"{page.url}: {msg.text[:60]}") if "Content Security Policy" in msg.text else None
        ),
    )
    page.goto("/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Good to see you, Alice").wait_for()
    for path in ("/accounts/", "/feedback/log/", "/plans/", "/api/docs/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/feedback/log/")
    page.get_by_role("combobox", name="Account").fill("Acm")  # htmx autocomplete: a request, a swap, the indicator
    page.get_by_text("Acme Tooling").first.wait_for()

    assert violations == []
