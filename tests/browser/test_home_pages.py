"""Each role's home page answers "what now?" at 1280 and 375 px: its counts are visible and every one is a link
that opens (the list, or the section of the page that lists those rows)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.main_pages import seed_demo
from tests.browser.session import log_in_as_demo as log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = {  # demo person: the counts their home page leads with
    "alice@example.com": ["Calls due this week", "Plans and steps overdue", "Promises at risk", "New for you"],
    "dana@example.com": ["Issues not yet acknowledged", "Hand-offs waiting", "Plans overdue", "What I owe"],
    "bob@example.com": ["Issues not yet acknowledged", "Hand-offs waiting", "Plans overdue", "What I owe"],
    "erin@example.com": ["Priority accounts whose health fell", "Broken promises", "Escalations this week"],
}


@pytest.mark.parametrize("width", [1280, 375])
def test_every_count_on_each_home_page_is_a_link_that_opens(page: Any, width: int) -> None:
    seed_demo()
    for email, labels in HOMES.items():
        log_in(page, email, width=width)
        counts = page.locator(".home-counts a")
        shown = [counts.nth(i).inner_text() for i in range(counts.count())]
        assert all(any(label in text for text in shown) for label in labels), (email, shown)
        for href in [counts.nth(i).get_attribute("href") for i in range(counts.count())]:
            assert href
            if href.startswith("#"):
                assert page.locator(href).is_visible(), (email, href)
            else:
                response = page.request.get(href)
                assert (response.status, "/login/" in response.url) == (200, False), (email, href)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), email
