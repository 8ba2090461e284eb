"""The CSV import's file format: reading an upload into rows under a header, without touching the database.

The columns of each kind of file, the size limits and how a cell is read (a list, a yes/no, a quoted formula)
live here; checking rows against the database and writing them is accounts.imports. The formats:
docs/csv-import.md.

Row numbers are records as a spreadsheet shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from accounts.models import AccountImport
from kernel.exports import unquote_cell

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000

ACCOUNT_COLUMNS = (
    "name",
    "external_id",
    "segment",
    "industry",
    "region",
    "status",
    "owner_email",
    "is_confidential",
    "needs",
    "wants",
)
CONTACT_COLUMNS = ("account_external_id", "name", "title", "email", "phone", "buying_role", "influence")
COLUMNS: dict[str, tuple[str, ...]] = {
    AccountImport.Kind.ACCOUNTS: ACCOUNT_COLUMNS,
    AccountImport.Kind.CONTACTS: CONTACT_COLUMNS,
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    AccountImport.Kind.ACCOUNTS: ("name", "segment", "owner_email"),
    AccountImport.Kind.CONTACTS: ("account_external_id", "name"),
}
LIST_SEPARATOR = ";"
TRUE = frozenset({"true", "yes", "1", "y"})
FALSE = frozenset({"false", "no", "0", "n", ""})


class BadFile(Exception):
    """The file as a whole cannot be used (encoding, size, header…): a form error, and nothing is stored."""


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]
    has_extra_values: bool = False

    def get(self, column: str) -> str:
        # Exports quote a cell a spreadsheet would run as a formula (kernel.exports): take the quote off again.
        return unquote_cell(self.values.get(column, ""))


@dataclass(frozen=True)
class ParsedFile:
    kind: str
    text: str
    header: list[str]
    rows: list[Row]


def read_upload(*, data: bytes) -> str:
    """The uploaded bytes as text; BadFile for anything that is not a UTF-8 file of at most MAX_BYTES."""
    if len(data) > MAX_BYTES:
        raise BadFile("The file is larger than 5 MB. Split it into smaller files and import them one by one.")
    if not data.strip():
        raise BadFile("The file is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(
            f"The file is not UTF-8 text (the byte at position {exc.start} cannot be read). "
            "In Excel, save it as “CSV UTF-8 (comma delimited)” and upload it again."
        ) from None
    if "\x00" in text:
        raise BadFile("The file contains binary data: upload a CSV text file.")
    return text


def parse_csv(*, text: str, kind: str) -> ParsedFile:
    """Split the text into rows under the header; BadFile if the header or the row count is wrong."""
    if kind not in COLUMNS:
        raise BadFile(f"Unknown kind of import: {kind!r}.")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Row] = []
    try:
        first = next(reader, None)
        if first is None or not any(cell.strip() for cell in first):
            raise BadFile("The file is empty: the first row must be the header.")
        header = [cell.strip().lower() for cell in first]
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if repeated:
            raise BadFile(f"The header names {_names(repeated)} more than once.")
        missing = [name for name in REQUIRED_COLUMNS[kind] if name not in header]
        if missing:
            raise BadFile(
                f"The header has no {_names(missing)} column{'s' if len(missing) > 1 else ''}. "
                f"A {kind} file has the columns {_names(COLUMNS[kind])} (the first row is the header)."
            )
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # a blank line: counted, so later row numbers still match the file
            if len(rows) == MAX_ROWS:
                raise BadFile(f"The file has more than {MAX_ROWS:,} rows. Split it and import the parts one by one.")
            values = {name: cell.strip() for name, cell in zip(header, record, strict=False) if name}
            rows.append(Row(number, values, has_extra_values=any(cell.strip() for cell in record[len(header) :])))
    except csv.Error as exc:
        raise BadFile(f"The file is not valid CSV (row {reader.line_num}: {exc}).") from None
    if not rows:
        raise BadFile("The file has a header but no rows to import.")
    return ParsedFile(kind=kind, text=text, header=header, rows=rows)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"“{name}”" for name in names)


def parse_bool(value: str) -> bool | None:
    """A yes/no cell: True, False, or None when it is neither."""
    value = value.lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def split_list(value: str) -> list[str]:
    """A list cell (`Uptime; Spares`) as its non-empty parts."""
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
