"""Action plan bodies as lean rows (kernel.api.rows): what ActionPlanSerializer writes, built from `.values()`
without model instances. tests/test_api_lean_rows.py holds the two together on the demo data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.api.serializers import TIER_NAMES
from actionplans import selectors
from actionplans.models import ACTIVE_STATUSES, ActionPlan, BusinessCalendar, PlanStep, promise_broken
from kernel.api.rows import date_text, datetime_writer

# The values a row is built from; the cursor ordering's fields (due_on, id) are among them.
PLAN_VALUES = (
    "id",
    "account_id",
    "account__name",
    "account__tier",
    "title",
    "owner_id",
    "department_id",
    "status",
    "due_on",
    "promise_on",
    "promised_at",
    "resolution",
    "resolved_at",
    "confirmed_at",
    "customer_confirmation",
    "next_escalation_at",
    "version",
    "created_at",
    "updated_at",
)


def plan_values(queryset: QuerySet[ActionPlan]) -> QuerySet[ActionPlan, dict[str, Any]]:
    """A scoped plan QuerySet as the rows plan_rows builds from (the account joined)."""
    rows: QuerySet[ActionPlan, dict[str, Any]] = queryset.prefetch_related(None).values(*PLAN_VALUES)
    return rows


def plan_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """ActionPlanSerializer's body of each row: the issues and steps of all of them in two queries, the business
    calendar in one more when a plan holds a promise."""
    ids = [row["id"] for row in rows]
    moment = datetime_writer()
    issues: dict[int, list[int]] = defaultdict(list)
    steps: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        answered = ActionPlan.issues.through.objects.filter(actionplan_id__in=ids)
        # Issue's ordering, as the serializer's prefetch gives them.
        for plan_id, issue_id in answered.order_by("-issue__raised_at", "-issue_id").values_list(
            "actionplan_id", "issue_id"
        ):
            issues[plan_id].append(issue_id)
        for step in (
            PlanStep.objects.filter(plan_id__in=ids)
            .order_by("order", "id")
            .values("id", "plan_id", "title", "assignee_id", "due_on", "done_at", "order")
        ):
            steps[step["plan_id"]].append(
                {
                    "id": step["id"],
                    "title": step["title"],
                    "assignee": step["assignee_id"],
                    "due_on": date_text(step["due_on"]),
                    "done_at": moment(step["done_at"]),
                    "order": step["order"],
                }
            )
    today = timezone.localdate()
    now = timezone.now()
    calendar: list[BusinessCalendar] = []  # read once, and only if a plan holds a promise

    def broken(row: dict[str, Any]) -> bool:
        if row["promise_on"] is None:
            return False
        if not calendar:
            calendar.append(selectors.business_calendar())
        plan = ActionPlan(status=row["status"], promise_on=row["promise_on"], resolved_at=row["resolved_at"])
        return promise_broken(plan, calendar[0], now=now)

    return [
        {
            "id": row["id"],
            "account": row["account_id"],
            "account_name": row["account__name"],
            "tier": TIER_NAMES[row["account__tier"]],
            "title": row["title"],
            "owner": row["owner_id"],
            "department": row["department_id"],
            "status": row["status"],
            "due_on": date_text(row["due_on"]),
            "promise_on": date_text(row["promise_on"]),
            "promised_at": moment(row["promised_at"]),
            "resolution": row["resolution"],
            "resolved_at": moment(row["resolved_at"]),
            "confirmed_at": moment(row["confirmed_at"]),
            "customer_confirmation": row["customer_confirmation"],
            "issues": issues[row["id"]],
            "steps": steps[row["id"]],
            "overdue": row["status"] in ACTIVE_STATUSES and row["due_on"] < today,  # ActionPlan.is_overdue
            "promise_broken": broken(row),
            "next_escalation_at": moment(row["next_escalation_at"]),
            "version": row["version"],
            "created_at": moment(row["created_at"]),
            "updated_at": moment(row["updated_at"]),
        }
        for row in rows
    ]


def plan_body(queryset: QuerySet[ActionPlan], *, pk: int) -> dict[str, Any] | None:
    """One plan of a scoped QuerySet (None: not visible), as ActionPlanSerializer writes it."""
    row = plan_values(queryset.filter(pk=pk)).first()
    return None if row is None else plan_rows([row])[0]
