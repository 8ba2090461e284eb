"""Dates and times that come from outside: the range a person can mean, and query strings read strictly.

Services check the dates people give them against SANE_RANGE (conversations, promises, due dates), so the pages
and the API refuse the same values with the same message. A year 1 or 9999 is a typo, and such values also break
things far from the form: a due date of 31 December 9999 has no next day to escalate from, and 1 January 0001
in Amsterdam is in the year 0 in UTC (an OverflowError), or, before 1937, carries the offset +00:19:32.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 5


def latest(today: date) -> date:
    """The last day a person can mean: YEARS_AHEAD years from today (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def out_of_range(value: date | datetime, *, today: date) -> str | None:
    """Why this date (or date and time) cannot be meant, in words for the person; None when it can."""
    if isinstance(value, datetime):
        try:
            day = timezone.localdate(value) if timezone.is_aware(value) else value.date()
        except OverflowError:  # year 1 at +23:59, year 9999 at -23:59: no such moment here
            day = EARLIEST.replace(year=1)
    else:
        day = value
    last = latest(today)
    if EARLIEST <= day <= last:
        return None
    return f"Enter a date from {_words(EARLIEST)} to {_words(last)}."


def _words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def parse_moment(text: str) -> datetime:
    """A date-time (or a date: its midnight) from a query string, aware and in UTC; ValueError when it is not
    one: a malformed or impossible date (2026-13-45, 2026-02-30), or a moment that does not exist in UTC
    (9999-12-31 at -23:59). Django's parse_datetime would answer None for some of these and raise for others."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"“{text}” is not a date and time like 2026-03-01T09:30.") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"“{text}” is too far in the past or the future.") from None
