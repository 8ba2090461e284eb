"""The inbox and search page through everything and say how much there is (a capped count past COUNT_CAP)."""

from __future__ import annotations

import functools
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import views
from feedback.views import INBOX_PAGE, SEARCH_PAGE
from kernel.paging import CappedPaginator
from tests.factories import AccountFactory, ContactLogFactory, IssueFactory

pytestmark = pytest.mark.django_db

ISSUE_LINK = re.compile(r'href="/feedback/issues/(\d+)/"')
HIT_LINK = re.compile(r'href="/feedback/(logs|issues)/(\d+)/"')


def inbox_page(client: Any, number: int, **params: Any) -> str:
    return str(client.get(reverse("feedback:inbox"), {"page": number, **params}).content.decode())


def search_page(client: Any, query: str, number: int) -> str:
    return str(client.get(reverse("feedback:search"), {"q": query, "page": number}).content.decode())


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cap of 10 rows and 5 rows a page, so that a few rows go past the cap."""
    monkeypatch.setattr(views, "CappedPaginator", functools.partial(CappedPaginator, cap=10))
    monkeypatch.setattr(views, "INBOX_PAGE", 5)
    monkeypatch.setattr(views, "SEARCH_PAGE", 5)


def test_the_inbox_pages_through_every_issue_once(client: Any, bob: Any, engineering: Any) -> None:
    log = ContactLogFactory.create()
    issues = IssueFactory.create_batch(2 * INBOX_PAGE + 3, department=engineering, contact_log=log)
    client.force_login(bob)

    pages = [inbox_page(client, number) for number in (1, 2, 3)]

    shown = [int(pk) for html in pages for pk in ISSUE_LINK.findall(html)]
    assert sorted(shown) == sorted(issue.pk for issue in issues)
    assert f"{2 * INBOX_PAGE + 3} issues · showing {INBOX_PAGE + 1}–{2 * INBOX_PAGE}" in pages[1]
    assert "Page 2 of 3" in pages[1]
    assert 'rel="next"' not in pages[2]


def test_the_inbox_asks_the_policies_for_the_buttons_of_every_page(client: Any, bob: Any, engineering: Any) -> None:
    IssueFactory.create_batch(INBOX_PAGE + 2, department=engineering, contact_log=ContactLogFactory.create())
    client.force_login(bob)

    html = inbox_page(client, 2)

    assert html.count(">Acknowledge</button>") == 2


def test_the_inbox_keeps_its_filters_in_the_page_links(client: Any, bob: Any, engineering: Any) -> None:
    IssueFactory.create_batch(INBOX_PAGE + 1, department=engineering, severity="high")
    client.force_login(bob)

    html = inbox_page(client, 1, severity="high")

    assert "?severity=high&page=2" in html


@pytest.mark.parametrize("number", [1, 3])
def test_an_inbox_page_costs_the_same_queries_wherever_it_is(
    client: Any, bob: Any, engineering: Any, django_assert_num_queries: Any, number: int
) -> None:
    IssueFactory.create_batch(3 * INBOX_PAGE, department=engineering, contact_log=ContactLogFactory.create())
    client.force_login(bob)
    # session, user, department (navbar), unread count, department choices, the capped count, the page's issues
    # (+account, raiser), hand-offs
    with django_assert_num_queries(8):
        html = inbox_page(client, number)
    assert html.count("<article") == INBOX_PAGE


def test_a_long_inbox_says_more_than_the_cap_and_still_pages_to_the_end(
    client: Any, bob: Any, engineering: Any, small_cap: None
) -> None:
    issues = IssueFactory.create_batch(12, department=engineering, contact_log=ContactLogFactory.create())
    client.force_login(bob)

    pages = [inbox_page(client, number) for number in (1, 2, 3)]

    assert "More than 10 issues · showing 1–5" in pages[0]
    assert "Page 3<" in pages[2]
    assert 'rel="next"' in pages[1]
    assert 'rel="next"' not in pages[2]
    assert sorted(int(pk) for html in pages for pk in ISSUE_LINK.findall(html)) == sorted(i.pk for i in issues)


def test_the_inbox_answers_htmx_with_its_rows_only(client: Any, bob: Any, engineering: Any) -> None:
    IssueFactory.create_batch(INBOX_PAGE + 1, department=engineering)
    client.force_login(bob)

    response = client.get(
        reverse("feedback:inbox"), {"page": 2}, headers={"HX-Request": "true", "HX-Target": "issue-rows"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="issue-rows">')
    assert html.count("<article") == 1
    assert "HX-Request" in response["Vary"]


def matching_feedback(account: Any, logs: int, issues: int) -> list[tuple[str, int]]:
    """Logs and issues that mention the pump, an hour apart, newest first, as (kind, pk)."""
    now = timezone.now()
    rows = [
        (
            "logs",
            ContactLogFactory.create(
                account=account, summary=f"Pump {n} leaks.", occurred_at=now - timedelta(hours=2 * n)
            ).pk,
        )
        for n in range(logs)
    ] + [
        (
            "issues",
            IssueFactory.create(
                contact_log__account=account, verbatim=f"Pump {n} stops.", raised_at=now - timedelta(hours=2 * n + 1)
            ).pk,
        )
        for n in range(issues)
    ]
    return rows


def test_search_says_how_many_match_and_pages_through_all_of_them_newest_first(client: Any, alice: Any) -> None:
    account = AccountFactory.create(owner=alice)
    rows = matching_feedback(account, logs=SEARCH_PAGE, issues=16)
    client.force_login(alice)

    pages = [search_page(client, "pump", number) for number in (1, 2)]

    assert f"{SEARCH_PAGE + 16} results for “pump”" in pages[0]
    shown = [(kind, int(pk)) for html in pages for kind, pk in HIT_LINK.findall(html)]
    expected = [row for pair in zip(rows[:16], rows[SEARCH_PAGE:], strict=True) for row in pair] + rows[16:SEARCH_PAGE]
    assert shown == expected
    assert "Page 2 of 2" in pages[1]


@pytest.mark.parametrize("matches", [1, 60])
def test_a_search_page_costs_the_same_queries_however_many_match(
    client: Any, alice: Any, django_assert_num_queries: Any, matches: int
) -> None:
    account = AccountFactory.create(owner=alice)
    matching_feedback(account, logs=matches, issues=matches)
    client.force_login(alice)
    # session, user, the capped count, the page's rows, its logs (+account), its issues (+account), unread count,
    # department (navbar)
    with django_assert_num_queries(8):
        client.get(reverse("feedback:search"), {"q": "pump"})


def test_a_broad_search_says_more_than_the_cap_and_still_pages_to_the_end(
    client: Any, alice: Any, small_cap: None
) -> None:
    rows = matching_feedback(AccountFactory.create(owner=alice), logs=6, issues=6)
    client.force_login(alice)

    pages = [search_page(client, "pump", number) for number in (1, 2, 3)]

    assert "More than 10 results for “pump”" in pages[0]
    assert 'rel="next"' not in pages[2]
    assert sorted((kind, int(pk)) for html in pages for kind, pk in HIT_LINK.findall(html)) == sorted(rows)


def test_an_empty_search_reads_nothing(client: Any, alice: Any, django_assert_num_queries: Any) -> None:
    client.force_login(alice)
    # session, user, unread count, department (navbar)
    with django_assert_num_queries(4):
        html = client.get(reverse("feedback:search"), {"q": " "}).content.decode()
    assert "result" not in html
