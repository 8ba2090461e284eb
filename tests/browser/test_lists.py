"""Long lists in a real browser, at desktop and phone width: the total is shown and every row is reachable."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from feedback.views import INBOX_PAGE, SEARCH_PAGE
from tests.browser.session import log_in
from tests.factories import AccountFactory, ContactLogFactory, IssueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


def walk_pages(page: Any, rows: str, total: str, links: str, pages: int, per_page: int) -> list[str]:
    """Every row's link, page by page through the Next link (htmx swaps the rows and pushes the URL)."""
    seen: list[str] = []
    for number in range(1, pages + 1):
        first = (number - 1) * per_page + 1
        page.locator(rows).get_by_test_id("list-total").filter(has_text=f"{total} · showing {first}–").wait_for()
        seen += page.locator(rows).locator(links).evaluate_all("links => links.map(a => a.getAttribute('href'))")
        if number < pages:
            page.locator(rows).get_by_role("link", name="Next").click()
            page.wait_for_url(re.compile(rf"page={number + 1}\b"))
    assert page.locator(rows).get_by_role("link", name="Next").count() == 0
    return seen


@pytest.mark.parametrize("width", WIDTHS)
def test_an_inbox_of_223_issues_shows_its_total_and_pages_through_all_of_them(
    page: Any, bob: Any, engineering: Any, width: int
) -> None:
    log = ContactLogFactory.create()
    issues = IssueFactory.create_batch(223, department=engineering, contact_log=log)
    log_in(page, "bob@example.com", width=width)

    page.goto("/feedback/inbox/")
    seen = walk_pages(
        page,
        rows="#issue-rows",
        total="223 issues",
        links="a:text('Details and hand-off')",
        pages=-(-223 // INBOX_PAGE),
        per_page=INBOX_PAGE,
    )

    assert sorted(seen) == sorted(f"/feedback/issues/{issue.pk}/" for issue in issues)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_a_search_with_166_matches_says_166_and_pages_through_them(
    page: Any, alice: Any, engineering: Any, width: int
) -> None:
    account = AccountFactory.create(owner=alice)
    now = timezone.now()
    logs = [
        ContactLogFactory.create(account=account, summary=f"The pump {n} leaks.", occurred_at=now - timedelta(hours=n))
        for n in range(100)
    ]
    log = ContactLogFactory.create(account=account, summary="Two problems.")
    issues = IssueFactory.create_batch(66, contact_log=log, department=engineering, verbatim="The pump stops at noon.")
    log_in(page, "alice@example.com", width=width)

    page.goto("/feedback/search/?q=pump")
    seen = walk_pages(
        page,
        rows="#search-hits",
        total="166 results for “pump”",
        links="a.list-group-item",
        pages=-(-166 // SEARCH_PAGE),
        per_page=SEARCH_PAGE,
    )

    expected = [f"/feedback/logs/{log.pk}/" for log in logs] + [f"/feedback/issues/{i.pk}/" for i in issues]
    assert sorted(seen) == sorted(expected)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
