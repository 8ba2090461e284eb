"""The app's own 404 and 500 pages in a real browser, at desktop and phone width."""

from __future__ import annotations

from typing import Any

import pytest

from feedback import selectors
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


def crash(**kwargs: Any) -> Any:
    raise RuntimeError("the database went away")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_missing_page_is_styled_and_leads_home(page: Any, alice: Any, width: int) -> None:
    log_in(page, "alice@example.com", width=width)

    response = page.goto("/accounts/999999/")

    assert response.status == 404
    page.get_by_role("heading", name="We can't find that page").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="Back to your home page").click()
    page.wait_for_url(lambda url: url.endswith("/"))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_crash_is_the_styled_500_page(page: Any, alice: Any, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    log_in(page, "alice@example.com", width=width)
    monkeypatch.setattr(selectors, "search_matches", crash)

    response = page.goto("/feedback/search/?q=pump")

    assert response.status == 500
    page.get_by_role("heading", name="Something went wrong on our side").wait_for()
    button = page.get_by_role("link", name="Back to your home page")
    assert button.evaluate("a => getComputedStyle(a).borderStyle") == "solid"  # the stylesheet loaded
    assert "the database went away" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
