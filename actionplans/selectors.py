"""Every read of action plans: scoped to the plans the user may see first, then shaped for the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import CharField, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from actionplans.models import (
    ACTIVE_STATUSES,
    ActionPlan,
    BusinessCalendar,
    Escalation,
    PlanStatus,
    PlanStep,
)
from feedback.models import Issue, IssueStatus

WEEK = 7


def business_calendar() -> BusinessCalendar:
    """The business calendar escalation delays, SLA clocks and promise dates count in. Reads only: the row comes
    from the data migration (actionplans 0002) and is edited in the admin; should it be deleted, an unsaved
    calendar with the model's defaults (Monday to Friday, 8 to 18, Europe/Amsterdam) stands in, so pages and the
    sweep keep working, and nothing is written until someone adds the row again."""
    return BusinessCalendar.objects.filter(name="default").first() or BusinessCalendar(name="default")


def calendar_timezone() -> Coalesce:
    """The business calendar's time-zone name as a query expression (business_calendar's default when the row is
    missing). A set-based read annotates its rows with it and decides each promise with models.kept_promise in
    that zone, the plan page's rule, without a query of its own."""
    fallback = BusinessCalendar._meta.get_field("timezone").get_default()
    return Coalesce(
        Subquery(BusinessCalendar.objects.filter(name="default").values("timezone")[:1]),
        Value(fallback),
        output_field=CharField(),
    )


def plans_for_user(*, user: Any) -> QuerySet[ActionPlan]:
    """The plans a user may see (confidential accounts stay with their people), with what a list row shows.
    Strategic accounts first, then the earliest due: the list is rank-aware."""
    return (
        ActionPlan.objects.visible_to(user)
        .select_related("account", "owner", "department")
        .prefetch_related("issues")
        .order_by("account__tier", "due_on", "account__rank", "id")
    )


def plan_detail_for_user(*, user: Any, pk: int) -> ActionPlan:
    """One plan with its issues, steps and escalations; ActionPlan.DoesNotExist if not visible (a 404)."""
    return (
        ActionPlan.objects.visible_to(user)
        .select_related("account", "owner", "department", "created_by")
        .prefetch_related(
            Prefetch("issues", queryset=Issue.objects.select_related("raised_by", "department")),
            Prefetch("steps", queryset=PlanStep.objects.select_related("assignee")),
            Prefetch(
                "escalations",
                queryset=Escalation.objects.select_related("acknowledged_by").prefetch_related("notified"),
            ),
        )
        .get(pk=pk)
    )


def plan_for_issue(*, issue: Issue) -> ActionPlan | None:
    """The plan answering an issue, whatever its status; None before anyone planned for it. An issue has at most
    one (a unique index on the link, actionplans migration 0003), and whoever may see the issue may see it: both
    belong to the same account."""
    return ActionPlan.objects.filter(issues=issue).first()


def step_for_user(*, user: Any, pk: int) -> PlanStep:
    """A step of a plan the user may see; PlanStep.DoesNotExist otherwise (a 404)."""
    return (
        PlanStep.objects.filter(plan__in=ActionPlan.objects.visible_to(user).values("pk"))
        .select_related("plan", "assignee")
        .get(pk=pk)
    )


def escalation_for_user(*, user: Any, pk: int) -> Escalation:
    """An escalation of a plan the user may see; Escalation.DoesNotExist otherwise (a 404)."""
    return Escalation.objects.filter(plan__in=ActionPlan.objects.visible_to(user).values("pk")).get(pk=pk)


@dataclass(frozen=True)
class OweGroup:
    key: str
    label: str
    hint: str
    plans: list[ActionPlan] = field(default_factory=list)
    steps: list[PlanStep] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.plans) + len(self.steps)


@dataclass(frozen=True)
class WhatIOwe:
    overdue: OweGroup
    due_this_week: OweGroup
    promises_at_risk: OweGroup
    later: OweGroup

    @property
    def groups(self) -> list[OweGroup]:
        return [self.overdue, self.promises_at_risk, self.due_this_week, self.later]  # most urgent first

    @property
    def total(self) -> int:
        return sum(g.size for g in self.groups)


def step_due_on(step: PlanStep) -> date:
    """A step without its own date is due when its plan is."""
    return step.due_on or step.plan.due_on


def what_i_owe(*, user: Any, today: date) -> WhatIOwe:
    """My active plans and my open steps, each in the first group it belongs to: overdue (past our own due
    date), promises at risk (the date we told the customer is within a week or past), due this week, later.
    Steps have no promise of their own: they are due on their date, or their plan's. Two queries."""
    soon = today + timedelta(days=WEEK)
    plans = list(
        ActionPlan.objects.visible_to(user)
        .active()
        .filter(owner_id=user.pk)
        .select_related("account", "department")
        .order_by("account__tier", "due_on", "account__rank", "id")
    )
    steps = list(
        PlanStep.objects.filter(
            assignee_id=user.pk,
            done_at__isnull=True,
            plan__status__in=ACTIVE_STATUSES,
            plan__in=ActionPlan.objects.visible_to(user).values("pk"),
        ).select_related("plan__account")
    )
    steps.sort(key=lambda s: (s.plan.account.tier, step_due_on(s), s.pk))
    result = WhatIOwe(
        overdue=OweGroup("overdue", "Overdue", "Past the date we set ourselves."),
        due_this_week=OweGroup("due-this-week", "Due this week", f"Due by {soon:%-d %b}."),
        promises_at_risk=OweGroup(
            "promises-at-risk", "Promises at risk", "The date we told the customer is within a week, or past."
        ),
        later=OweGroup("later", "Later", "Everything else I own."),
    )
    for plan in plans:
        if plan.due_on < today:
            result.overdue.plans.append(plan)
        elif plan.promise_on is not None and plan.promise_on <= soon:
            result.promises_at_risk.plans.append(plan)
        elif plan.due_on <= soon:
            result.due_this_week.plans.append(plan)
        else:
            result.later.plans.append(plan)
    for step in steps:
        due = step_due_on(step)
        group = result.overdue if due < today else result.due_this_week if due <= soon else result.later
        group.steps.append(step)
    return result


@dataclass(frozen=True)
class SlaClock:
    """Where a plan stands against its due date, counted in business hours (the escalation calendar's)."""

    state: str  # "running", "paused", "breached" or "stopped"
    business_hours_left: float | None  # until the end of the due date, while not past it
    business_hours_over: float | None  # past the due date, less the time spent waiting on the customer
    next_escalation_at: datetime | None

    @property
    def label(self) -> str:
        return {"running": "Running", "paused": "Paused", "breached": "Breached", "stopped": "Stopped"}[self.state]


def sla_clock(*, plan: ActionPlan, now: datetime, cal: BusinessCalendar | None = None) -> SlaClock:
    """Stopped when done or cancelled; paused while waiting on the customer (the figures freeze when the wait
    began); breached past the end of the due date; running otherwise."""
    if plan.status not in ACTIVE_STATUSES:
        return SlaClock("stopped", None, None, None)
    cal = cal or business_calendar()
    # As the escalation ladder counts: a plan is overdue from the end of its due date, in the calendar's zone.
    due_at = datetime.combine(plan.due_on + timedelta(days=1), time(0), cal.zone)
    paused = plan.status == PlanStatus.WAITING
    moment = plan.paused_at if paused and plan.paused_at else now
    if moment < due_at:
        left = cal.business_seconds(moment, due_at) / 3600
        return SlaClock("paused" if paused else "running", round(left, 1), None, plan.next_escalation_at)
    over = max(0.0, cal.business_seconds(due_at, moment) - plan.paused_seconds) / 3600
    return SlaClock("paused" if paused else "breached", None, round(over, 1), plan.next_escalation_at)


def plans_due_for_escalation(*, now: datetime) -> QuerySet[ActionPlan]:
    """Plans whose next escalation level may be due: the sweep fans out their ids; escalate_plan decides."""
    return ActionPlan.objects.filter(
        next_escalation_at__lte=now, status__in=[PlanStatus.OPEN, PlanStatus.IN_PROGRESS]
    ).order_by("next_escalation_at")


def issue_ids_due_for_escalation(*, now: datetime) -> list[int]:
    """The unacknowledged issues whose escalation clock has come (`Issue.next_escalation_at`), and the new ones no
    sweep has scheduled yet: one range of a partial index, however many issues wait unacknowledged. Deciding
    every candidate's business time each minute had cost the steady sweep a tenth of a second at 8,000 waiting
    issues (docs/performance.md). escalate_issues decides under each issue's lock what is due and moves its clock
    to the next level's moment, or to ESCALATION_DONE at the top of its ladder (tier × severity)."""
    return list(
        Issue.objects.filter(
            Q(next_escalation_at__isnull=True) | Q(next_escalation_at__lte=now), status=IssueStatus.NEW
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
