"""One CSV writer for every export: a cell a spreadsheet would run as a formula comes out quoted, everywhere."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kernel.exports import csv_lines, neutralise_cell, unquote_cell
from tests.factories import AccountFactory

FORMULAS = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
EXPORTS = [("accounts:export", "name"), ("dashboards:priority-export", "account")]


@pytest.mark.parametrize("value", FORMULAS)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(value: str) -> None:
    assert neutralise_cell(value) == f"'{value}"


@pytest.mark.parametrize("value", ["Plain Co", "", "O'Brien", "a=b", "'quoted", 42, -2, Decimal("-1.50"), None])
def test_plain_text_numbers_and_none_are_left_alone(value: object) -> None:
    assert neutralise_cell(value) == value


@pytest.mark.parametrize("value", [*FORMULAS, "'=1", "''+2", "Plain Co", "'quoted", "'"])
def test_the_import_reads_back_exactly_what_was_exported(value: str) -> None:
    assert unquote_cell(str(neutralise_cell(value))) == value


def test_the_writer_streams_one_csv_line_per_row() -> None:
    rows: list[list[object]] = [["name", "score"], ["=1+1", -3], ["Plain, Co", 4]]
    lines = csv_lines(iter(rows))
    assert list(lines) == ["name,score\r\n", "'=1+1,-3\r\n", '"Plain, Co",4\r\n']


def exported_cells(client: Client, url_name: str, column: str) -> list[str]:
    response = client.get(reverse(url_name))
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return [row[column] for row in csv.DictReader(io.StringIO(text, newline=""))]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "column"), EXPORTS)
@pytest.mark.parametrize("name", FORMULAS)
def test_every_export_quotes_an_account_named_like_a_formula(
    client: Client, erin: Any, url_name: str, column: str, name: str
) -> None:
    AccountFactory.create(name=name)
    client.force_login(erin)
    assert exported_cells(client, url_name, column) == [f"'{name}"]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "column"), EXPORTS)
def test_every_export_leaves_a_plain_name_alone(client: Client, erin: Any, url_name: str, column: str) -> None:
    AccountFactory.create(name="Plain Co")
    client.force_login(erin)
    assert exported_cells(client, url_name, column) == ["Plain Co"]
