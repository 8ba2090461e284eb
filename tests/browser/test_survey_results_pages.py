"""The year-over-year pages on the demo data, for the people who use them: axe finds no serious violation, and
nothing scrolls sideways at phone width (the checks every main page gets, tests/browser/test_accessibility.py
and test_phone_width.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.browser.main_pages import seed_demo
from tests.browser.session import log_in_as_demo as log_in
from tests.browser.test_accessibility import AXE, RUN_AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pages() -> list[str]:
    from surveys.models import DeclineProposal

    proposal = DeclineProposal.objects.filter(suggested_owner__email="alice@example.com").order_by("pk").first()
    assert proposal is not None  # the demo has declines on Alice's accounts
    return [
        reverse("yoy:page"),
        f"{reverse('yoy:page')}?account={proposal.account_id}",
        reverse("yoy:dismiss", args=[proposal.pk]),
    ]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_year_over_year_pages_pass_axe_and_fit_a_phone(
    browser: Any, live_server: Any, width: int, artifacts: Path
) -> None:
    seed_demo()
    pages = _pages()
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    found: dict[str, Any] = {}
    too_wide: list[str] = []
    for email in ("alice@example.com", "erin@example.com"):
        log_in(page, email)
        for path in pages:
            page.goto(path)
            size = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if size[0] > size[1]:
                too_wide.append(f"{email} {path}: {size[0]} > {size[1]}")
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(RUN_AXE)
            if violations:
                found[f"{email} {path}"] = violations
    page.screenshot(path=str(artifacts / f"yoy-demo-{width}.png"), full_page=True)
    context.close()

    assert found == {}, json.dumps(found, indent=1)[:6000]
    assert too_wide == []
