from __future__ import annotations

from typing import Any

import pytest

from feedback.models import Issue
from kernel.paging import CappedPaginator
from tests.factories import ContactLogFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_issues(engineering: Any) -> list[int]:
    issues = IssueFactory.create_batch(12, department=engineering, contact_log=ContactLogFactory.create())
    return sorted((issue.pk for issue in issues), reverse=True)


def paginator(cap: int) -> CappedPaginator[Issue]:
    return CappedPaginator(Issue.objects.order_by("-id"), 5, cap=cap)


def test_below_the_cap_the_count_is_exact_and_the_pages_known(twelve_issues: list[int]) -> None:
    pages = paginator(cap=20)

    assert (pages.count, pages.is_capped, pages.num_pages) == (12, False, 3)
    assert [issue.pk for issue in pages.page(3)] == twelve_issues[10:]


def test_past_the_cap_the_count_stops_one_row_after_it(
    twelve_issues: list[int], django_assert_num_queries: Any
) -> None:
    pages = paginator(cap=7)

    with django_assert_num_queries(1):
        assert (pages.count, pages.is_capped) == (8, True)


def test_past_the_cap_every_page_is_reachable_and_knows_whether_another_follows(twelve_issues: list[int]) -> None:
    pages = paginator(cap=7)

    read = [pages.get_page(number) for number in (1, 2, 3)]

    assert [issue.pk for page in read for issue in page] == twelve_issues
    assert [page.has_next() for page in read] == [True, True, False]
    assert [(page.start_index(), page.end_index()) for page in read] == [(1, 5), (6, 10), (11, 12)]


def test_a_page_past_the_end_or_not_a_number_falls_back_to_a_page_with_rows(twelve_issues: list[int]) -> None:
    pages = paginator(cap=7)

    assert pages.get_page("abc").number == 1
    assert len(pages.get_page(99)) > 0


def test_an_empty_list_has_one_empty_page(db: Any) -> None:
    page = paginator(cap=7).get_page(1)

    assert (page.paginator.count, len(page), page.has_next()) == (0, 0, False)
