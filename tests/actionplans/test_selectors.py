"""Reads of action plans: the defaults come from the data migration, and no read path writes."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans import selectors
from actionplans.models import BusinessCalendar, EscalationPolicy, Trigger

pytestmark = pytest.mark.django_db
MIGRATION = Path(selectors.__file__).parent / "migrations" / "0002_default_policies.py"


def writes(queries: list[dict[str, Any]]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def test_a_fresh_database_has_the_default_calendar_and_ladder_from_the_migration() -> None:
    calendar = BusinessCalendar.objects.get(name="default")
    assert (calendar.timezone, calendar.workdays, calendar.start_hour, calendar.end_hour) == (
        "Europe/Amsterdam",
        [1, 2, 3, 4, 5],
        8,
        18,
    )
    plans = EscalationPolicy.objects.filter(trigger=Trigger.PLAN_OVERDUE, tier=1, severity="medium")
    assert list(plans.values_list("level", "delay_hours", "target")) == [
        (1, 8, "owner_manager"),
        (2, 24, "department_lead"),
        (3, 56, "executive_sponsor"),
    ]
    critical = EscalationPolicy.objects.filter(trigger=Trigger.ISSUE_UNACKNOWLEDGED, tier=2, severity="critical")
    assert list(critical.values_list("level", "delay_hours", "target")) == [
        (1, 4, "department_lead"),
        (2, 20, "any_executive"),
    ]
    assert EscalationPolicy.objects.count() == (3 + 3 + 3 + 2 + 2 + 2 + 1 + 1) * 4  # levels × four severities


def test_the_default_ladder_migration_imports_no_live_code() -> None:
    nodes = list(ast.walk(ast.parse(MIGRATION.read_text())))
    imported = {alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "." for node in nodes if isinstance(node, ast.ImportFrom)}
    assert imported == {"django.db"}


def test_the_calendar_is_only_read_and_stands_in_unsaved_when_its_row_is_missing() -> None:
    BusinessCalendar.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        calendar = selectors.business_calendar()
    assert writes(queries.captured_queries) == []
    assert calendar.pk is None and calendar.zone.key == "Europe/Amsterdam"
    assert calendar.is_workday(date(2026, 12, 7)) and not calendar.is_workday(date(2026, 12, 5))  # Mon, Sat
    assert not BusinessCalendar.objects.exists()


def test_the_sweeps_selections_write_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        list(selectors.plans_due_for_escalation(now=timezone.now()))
        selectors.issue_ids_due_for_escalation(now=timezone.now())
        selectors.business_calendar()
    assert writes(queries.captured_queries) == []
