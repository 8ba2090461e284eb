"""The one CSV writer every export streams through, so every download neutralises spreadsheet formulas alike.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or carriage return before
them) as a formula: a value a user typed, such as an account named `=HYPERLINK("http://x")`, would run on the
machine of whoever opens the export. OWASP's advice is to prefix such a text cell with a single quote, which
the spreadsheet shows as text and does not keep. The CSV import takes that quote off again (`unquote_cell`), so
an export imports back exactly.

Only text is quoted: numbers, dates and None are written as they are, so a negative score stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _runs_as_formula(value: str) -> bool:
    """Whether, behind any quotes, the text starts as a spreadsheet formula."""
    return value.lstrip(QUOTE).startswith(FORMULA_START)


def neutralise_cell(value: object) -> object:
    """`value`, or for text that a spreadsheet would run, the same text after a single quote.

    Text that already has quotes before a formula gets one more, so that unquote_cell gives it back exactly.
    """
    if isinstance(value, str) and _runs_as_formula(value):
        return QUOTE + value
    return value


def unquote_cell(value: str) -> str:
    """The inverse of neutralise_cell, for an imported cell: `'=1` is `=1`, anything else is left as it is."""
    if value.startswith(QUOTE) and _runs_as_formula(value):
        return value[1:]
    return value


class _Echo:
    """A file-like object for csv.writer that hands each written line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Each row (the header is just the first) as one CSV line, every text cell neutralised.

    Lazy: pass a generator and hand the result to a StreamingHttpResponse, and no more than one row is held.
    """
    writer = csv.writer(_Echo())
    for row in rows:
        line: str = writer.writerow([neutralise_cell(cell) for cell in row])
        yield line
