"""Page links for lists that may be too long to count: a bounded COUNT, then "more than N".

Django's Paginator counts every row on every request. Over the large dataset (300,000 issues, 1,000,000
contact logs) an inbox or a search would then read every matching row just to print its total. A capped
paginator counts no further than one row past its cap (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`, ordering
dropped, so the database stops early): below the cap the total is exact, above it the page says "more than
cap". Past the cap the number of pages is unknown, so each page reads one row more than it shows to know
whether there is a next one; every page stays reachable and nothing is silently cut.

Each page costs two queries whatever the size of the list: the bounded count and the page's rows.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1000

_T = TypeVar("_T")


class CappedPaginator(Paginator[_T]):
    def __init__(self, object_list: QuerySet[Any, _T], per_page: int, *, cap: int = COUNT_CAP) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.cap = cap

    @cached_property
    def count(self) -> int:
        """The rows, counted no further than one past the cap."""
        return self.queryset.order_by()[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        """Whether there are more rows than the cap: the total is then "more than cap"."""
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.is_capped:
            return super().validate_number(number)
        # Past the cap any page may exist: page() finds out by reading it.
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            page_number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if page_number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return page_number

    def get_page(self, number: Any) -> Page[_T]:
        """Like Paginator.get_page: a page number past the end of a capped list gives the last page the count
        places, which has rows."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number: Any) -> Page[_T]:
        if not self.is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.queryset[bottom : bottom + self.per_page + 1])  # one more: is there a next page?
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class CappedPage(Page[_T]):
    """A page past what the capped count can place: it knows whether a next page exists from its own read."""

    def __init__(self, object_list: list[_T], number: int, paginator: CappedPaginator[_T], *, has_more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1
