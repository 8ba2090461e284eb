"""The CSV export of an account list: the list page's columns, plus what the import needs to read it back.

The lines go through kernel.exports, the writer every export uses, which quotes text a spreadsheet would run as
a formula. The format: docs/csv-import.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet

from accounts.csv_parsing import LIST_SEPARATOR
from accounts.models import Account
from kernel.exports import csv_lines

EXPORT_COLUMNS = (
    "rank",
    "tier",
    "name",
    "external_id",
    "segment",
    "region",
    "status",
    "owner_email",
    "score",
    "last_contact_at",
    "next_contact_due",
    "overdue",
    # …and what the import needs besides, so an export can be edited and imported elsewhere.
    "industry",
    "is_confidential",
    "needs",
    "wants",
)


def export_lines(*, accounts: QuerySet[Account], today: date) -> Iterator[str]:
    """The CSV lines of an account list, header first, streamed from the database in chunks."""
    return csv_lines(_rows(accounts=accounts, today=today))


def _rows(*, accounts: QuerySet[Account], today: date) -> Iterator[list[object]]:
    yield list(EXPORT_COLUMNS)
    for account in accounts.select_related("segment", "owner").iterator(chunk_size=2000):
        yield [
            account.rank,
            account.get_tier_display(),
            account.name,
            account.external_id or "",
            account.segment.slug,
            account.region,
            account.status,
            account.owner.email,
            account.score,
            account.last_contact_at.isoformat() if account.last_contact_at else "",
            account.next_contact_due.isoformat() if account.next_contact_due else "",
            "true" if account.is_overdue(today) else "false",
            account.industry,
            "true" if account.is_confidential else "false",
            LIST_SEPARATOR.join(account.needs),
            LIST_SEPARATOR.join(account.wants),
        ]
