"""Account bodies as lean rows (kernel.api.rows): what AccountSerializer and AccountDetailSerializer write, built
from `.values()` without model instances. tests/test_api_lean_rows.py holds the two together on the demo data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, QuerySet
from django.utils import timezone

from accounts import selectors
from accounts.api.serializers import TIER_NAMES
from accounts.models import Account, CustomerContact, health_band
from kernel.api.rows import (
    date_text,
    datetime_writer,
    decimal_writer,
    json_column,
    json_float,
    json_value,
    text_list,
)

# The values a row is built from; the cursor orderings' fields (rank, name, updated_at, id) are among them.
ACCOUNT_VALUES = (
    "id",
    "external_id",
    "name",
    "segment__slug",
    "industry",
    "region",
    "status",
    "owner_id",
    "owner__full_name",
    "executive_sponsor_id",
    "is_confidential",
    "rank",
    "tier",
    "score",
    "last_contact_at",
    "next_contact_due",
    "health",
    "health_at_risk",
    "version",
    "created_at",
    "updated_at",
)

JSON_VALUES = ("needs", "wants", "health_signals")  # read as text, parsed by kernel.api.rows.json_value
_score_text = decimal_writer(max_digits=5, decimal_places=2)  # Account.score


def account_values(queryset: QuerySet[Account]) -> QuerySet[Account, dict[str, Any]]:
    """A scoped account QuerySet as the rows account_rows builds from (one query, owner and segment joined)."""
    json_columns = {f"{name}_json": json_column(name) for name in JSON_VALUES}
    rows: QuerySet[Account, dict[str, Any]] = queryset.prefetch_related(None).values(*ACCOUNT_VALUES, **json_columns)
    return rows


def account_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The AccountSerializer body of each row, with the request's constants (cadences, today, time zone) read once."""
    cadence = selectors.cadence_days()
    today = timezone.localdate()
    moment = datetime_writer()
    return [_account(row, cadence=cadence, today=today, moment=moment) for row in rows]


def account_detail_body(queryset: QuerySet[Account], *, pk: int) -> dict[str, Any] | None:
    """AccountDetailSerializer's body for the account `pk` of a scoped QuerySet (None: not visible): one query on
    PostgreSQL (the contacts' ids as an array beside the row), two elsewhere."""
    # As the detail's prefetch orders them (CustomerContact's ordering), `id` settling ties the same way each time.
    contacts = CustomerContact.objects.filter(is_active=True).order_by("-influence", "name", "id")
    rows = account_values(queryset.filter(pk=pk))
    together = connection.vendor == "postgresql"
    if together:
        rows = rows.annotate(contact_ids=ArraySubquery(contacts.filter(account_id=OuterRef("pk")).values("pk")))
    row = rows.first()
    if row is None:
        return None
    [body] = account_rows([row])
    body["contacts"] = (
        row["contact_ids"] if together else list(contacts.filter(account_id=pk).values_list("pk", flat=True))
    )
    return body


def _account(row: dict[str, Any], *, cadence: dict[int, int], today: date, moment: Any) -> dict[str, Any]:
    due = row["next_contact_due"]
    health = row["health"]
    needs, wants, signals = (json_value(row[f"{name}_json"]) for name in JSON_VALUES)
    return {
        "id": row["id"],
        "external_id": row["external_id"],
        "name": row["name"],
        "segment": row["segment__slug"],
        "industry": row["industry"],
        "region": row["region"],
        "status": row["status"],
        "owner": row["owner_id"],
        "owner_name": row["owner__full_name"],
        "executive_sponsor": row["executive_sponsor_id"],
        "is_confidential": row["is_confidential"],
        "rank": row["rank"],
        "tier": TIER_NAMES[row["tier"]],
        "score": _score_text(row["score"]),
        "cadence_days": cadence[row["tier"]],
        "last_contact_at": moment(row["last_contact_at"]),
        "next_contact_due": date_text(due),
        "overdue": due is not None and due < today,
        "needs": None if needs is None else text_list(needs),
        "wants": None if wants is None else text_list(wants),
        "health": health,
        "health_band": health_band(health),
        "health_signals": None if signals is None else [_signal(signal) for signal in signals],
        "satisfied_but_at_risk": row["health_at_risk"],
        "version": row["version"],
        "created_at": moment(row["created_at"]),
        "updated_at": moment(row["updated_at"]),
    }


def _signal(signal: dict[str, Any]) -> dict[str, Any]:
    """HealthSignalSerializer's body for one stored signal (dashboards.health's `as_json`)."""
    points, weight, label, detail = signal["points"], signal["max"], signal["label"], signal["detail"]
    return {
        "key": signal["key"],
        "name": None if label is None else str(label),
        "points": None if points is None else json_float(points),
        "max": None if weight is None else int(weight),
        "detail": None if detail is None else str(detail),
    }
