"""Action plans, promises and escalation. Escalation happens exactly once per level: the plan row is locked
while a level is decided, and a unique constraint on (plan, level) / (issue, level) is the backstop, so two
workers, overlapping sweeps, retries or a worker killed mid-task cannot escalate twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts import policies as account_policies
from accounts.models import Account
from actionplans import policies, selectors, signals
from actionplans.models import (
    ACTIVE_STATUSES,
    COMPLAINT_TEMPLATE,
    ActionPlan,
    BusinessCalendar,
    Escalation,
    EscalationAction,
    EscalationPolicy,
    PlanStatus,
    PlanStep,
    Target,
    Trigger,
)
from feedback.models import ESCALATION_DONE, Issue, IssueStatus, Severity
from kernel import dates
from kernel.versions import lock_version, save_version
from organization import services as organization_services
from organization.models import Department, User
from organization.webhooks import services as webhooks

SEVERITY_ORDER: list[str] = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


def plan_severity(plan: ActionPlan) -> str:
    severities = [i.severity for i in plan.issues.all()]
    return max(severities, key=SEVERITY_ORDER.index) if severities else Severity.MEDIUM


def _due_moment(plan: ActionPlan, cal: BusinessCalendar) -> datetime:
    """A plan is overdue from the end of its due date."""
    return datetime.combine(plan.due_on + timedelta(days=1), time(0), cal.zone)


def _policies(*, tier: int, severity: str, trigger: str) -> list[EscalationPolicy]:
    return list(EscalationPolicy.objects.filter(tier=tier, severity=severity, trigger=trigger).order_by("level"))


def next_escalation_at(plan: ActionPlan, *, cal: BusinessCalendar | None = None) -> datetime | None:
    """When the next not-yet-reached level of this plan falls due; None when none can (done, paused, top)."""
    if plan.status not in {PlanStatus.OPEN, PlanStatus.IN_PROGRESS}:
        return None
    cal = cal or selectors.business_calendar()
    reached = set(plan.escalations.values_list("level", flat=True)) if plan.pk else set()
    if plan.pk and plan.escalations.filter(acknowledged_at__isnull=False).exists():
        return None  # someone up the chain has it: acknowledging stops the clock
    for policy in _policies(tier=plan.account.tier, severity=plan_severity(plan), trigger=Trigger.PLAN_OVERDUE):
        if policy.level not in reached:
            return cal.add_business_seconds(_due_moment(plan, cal), policy.delay_hours * 3600 + plan.paused_seconds)
    return None


def _refresh_clock(plan: ActionPlan) -> None:
    ActionPlan.objects.filter(pk=plan.pk).update(next_escalation_at=next_escalation_at(plan))


@dataclass(frozen=True)
class StepInput:
    title: str
    assignee: User | None = None
    due_on: date | None = None


def _dates_out_of_range(
    *, now: datetime, due_on: date | None, promise_on: date | None, steps: Sequence[StepInput] = ()
) -> dict[str, list[str]]:
    """Due and promise dates no one can mean (kernel.dates: before 2000, or more than five years ahead), by
    field: the plan page and the API refuse the same values. A due date of 31 December 9999 had no next day to
    escalate from (a 500)."""
    today = timezone.localdate(now)
    named: dict[str, date | None] = {"due_on": due_on, "promise_on": promise_on}
    named |= {f"steps.{index}.due_on": step.due_on for index, step in enumerate(steps)}
    problems = {name: dates.out_of_range(day, today=today) for name, day in named.items() if day is not None}
    return {name: [problem] for name, problem in problems.items() if problem is not None}


@transaction.atomic
def create_plan(
    *,
    account: Account,
    title: str,
    owner: User,
    department: Department,
    due_on: date,
    created_by: User | None,
    now: datetime,
    issues: Sequence[Issue] = (),
    promise_on: date | None = None,
    steps: Sequence[StepInput] = (),
    complaint_template: bool = False,
) -> ActionPlan:
    """A plan for an account. `created_by` None is an internal system (an API client): the account's owner is
    recorded as its creator, and the policies treat it as a system, which never sees a confidential account."""
    if not policies.can_create_plan(person=created_by, account=account, owner=owner, department=department):
        raise PermissionDenied(
            "Executives, admins and the department's lead plan for others; you may plan only what you own, "
            "for your department or an account you edit."
        )
    if not policies.may_own_plan(user=owner, account=account):
        raise ValidationError({"owner": ["Give the plan to someone who may open its account."]})
    if any(issue.account_id != account.pk for issue in issues):
        raise ValidationError({"issues": ["Every issue must belong to the plan's account."]})
    if promise_on is not None and promise_on < timezone.localdate(now):
        raise ValidationError({"promise_on": ["A promise date cannot be in the past."]})
    if errors := _dates_out_of_range(now=now, due_on=due_on, promise_on=promise_on, steps=steps):
        raise ValidationError(errors)
    plan = ActionPlan(
        account=account,
        title=title.strip(),
        owner=owner,
        department=department,
        due_on=due_on,
        promise_on=promise_on,
        promised_at=now if promise_on else None,
        created_by=created_by or account.owner,
    )
    plan._history_user = created_by  # type: ignore[attr-defined]
    plan.full_clean()
    plan.save()
    _link_issues(plan, issues)
    Issue.objects.filter(pk__in=[i.pk for i in issues]).exclude(
        status__in=[IssueStatus.RESOLVED, IssueStatus.CLOSED]
    ).update(status=IssueStatus.PLANNED, version=F("version") + 1)
    titles = [StepInput(title=t) for t in COMPLAINT_TEMPLATE] if complaint_template else list(steps)
    PlanStep.objects.bulk_create(
        PlanStep(plan=plan, title=s.title, assignee=s.assignee, due_on=s.due_on, order=i) for i, s in enumerate(titles)
    )
    _refresh_clock(plan)
    plan.refresh_from_db()
    _emit_plan("plan.created", plan, now)
    return plan


def _link_issues(plan: ActionPlan, issues: Sequence[Issue]) -> None:
    """The plan answers these issues; an issue is answered by one plan at most. The issue rows are locked first
    (in id order: two plans for the same issues cannot deadlock), so a plan made meanwhile is seen here; the
    unique index on the link (migration 0003) refuses whatever slips past, as a validation error."""
    ids = sorted(issue.pk for issue in issues)
    list(Issue.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    planned = ActionPlan.issues.through.objects.filter(issue_id__in=ids).values_list("issue_id", flat=True)
    if planned:
        raise ValidationError({"issues": [f"Issue {pk} already has a plan." for pk in sorted(planned)]})
    try:
        with transaction.atomic():
            plan.issues.set(issues)
    except IntegrityError:
        raise ValidationError({"issues": ["One of these issues got a plan meanwhile."]}) from None


def _emit_plan(event: str, plan: ActionPlan, now: datetime, **extra: Any) -> None:
    """Tell subscribed internal systems, inside the caller's transaction: only of what an API client may open."""
    outgoing = _plan_event(event, plan, **extra)
    if outgoing is not None:
        webhooks.emit_many(events=[outgoing], now=now)


def _plan_event(event: str, plan: ActionPlan, **extra: Any) -> webhooks.OutgoingEvent | None:
    """The webhook event for a plan; None when internal systems may not learn of its account (confidential)."""
    if not account_policies.systems_may_learn_of(account=plan.account):
        return None
    return webhooks.OutgoingEvent(
        event=event,
        payload={
            "plan": {
                "id": plan.pk,
                "account": plan.account_id,
                "title": plan.title,
                "status": plan.status,
                "department": plan.department_id,
                "due_on": plan.due_on,
                "promise_on": plan.promise_on,
                **extra,
            }
        },
    )


@transaction.atomic
def create_plan_from_issue(*, issue: Issue, by: User | None, now: datetime) -> ActionPlan:
    """Two clicks from the inbox: the issue's own words become the plan; due in a week; the complaint steps.
    `by` None is an internal system: the account's owner then owns the plan. One plan per issue: when the issue
    has one already (a double click, two colleagues at once), that plan is returned and nothing is created; the
    issue row is locked while this is decided."""
    if by is not None and not policies.can_plan_for_issue(person=by, issue=issue):
        raise PermissionDenied(f"Only {issue.department.name} plans for its issues.")
    Issue.objects.select_for_update().filter(pk=issue.pk).values_list("pk", flat=True).first()
    existing = selectors.plan_for_issue(issue=issue)
    if existing is not None:
        return existing
    return create_plan(
        account=issue.account,
        title=title_from(issue.verbatim),
        owner=by or issue.account.owner,
        department=issue.department,
        due_on=timezone.localdate(now) + timedelta(days=7),
        created_by=by,
        now=now,
        issues=[issue],
        complaint_template=True,
    )


def title_from(text: str) -> str:
    """A plan's title from the customer's words: their first line, at most 120 characters."""
    first = text.strip().split("\n")[0]
    return first if len(first) <= 120 else first[:117] + "…"


def _lock(plan: ActionPlan, expected_version: int | None) -> ActionPlan:
    return lock_version(ActionPlan.objects.select_related("account"), pk=plan.pk, expected_version=expected_version)


@transaction.atomic
def update_plan(
    *, plan: ActionPlan, by: User, now: datetime, expected_version: int | None = None, **fields: Any
) -> ActionPlan:
    """Title, owner, due date or promise date. A new promise date records when it was told."""
    allowed = {"title", "owner", "department", "due_on", "promise_on"}
    if set(fields) - allowed:
        raise TypeError(f"Not editable here: {', '.join(sorted(set(fields) - allowed))}")
    locked = _lock(plan, expected_version)
    if not policies.can_change_plan(person=by, plan=locked):
        raise PermissionDenied("Only the owner, the department lead, executives and admins change a plan.")
    fields = {name: value for name, value in fields.items() if getattr(locked, name) != value}
    if not fields:  # an unchanged save: no new version, no history row, the escalation clock as it was
        return locked
    if errors := _dates_out_of_range(now=now, due_on=fields.get("due_on"), promise_on=fields.get("promise_on")):
        raise ValidationError(errors)
    if "promise_on" in fields and fields["promise_on"] != locked.promise_on:
        if fields["promise_on"] is not None and fields["promise_on"] < timezone.localdate(now):
            raise ValidationError({"promise_on": ["A promise date cannot be in the past."]})
        locked.promised_at = now if fields["promise_on"] else None
    if (
        "owner" in fields
        and fields["owner"] != locked.owner
        and not policies.may_own_plan(user=fields["owner"], account=locked.account)
    ):
        raise ValidationError({"owner": ["Give the plan to someone who may open its account."]})
    for name, value in fields.items():
        setattr(locked, name, value)
    save_version(locked, by=by)
    if "due_on" in fields:
        # A new due date is a new commitment: the ladder starts again from the levels not yet reached.
        locked.escalations.filter(acknowledged_at__isnull=False).update(acknowledged_at=None)
    _refresh_clock(locked)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def change_status(
    *,
    plan: ActionPlan,
    status: str,
    by: User,
    now: datetime,
    resolution: str = "",
    confirmation: str = "",
    expected_version: int | None = None,
) -> ActionPlan:
    """Move a plan along. Waiting on the customer pauses the SLA clock; resolving needs a resolution and resolves
    the plan's issues; confirming records the customer's words."""
    locked = _lock(plan, expected_version)
    if not policies.can_change_plan(person=by, plan=locked):
        raise PermissionDenied("Only the owner, the department lead, executives and admins change a plan.")
    if status not in PlanStatus.values:
        raise ValidationError({"status": [f"Unknown status {status!r}."]})
    if status in {PlanStatus.RESOLVED, PlanStatus.CONFIRMED} and not (resolution or locked.resolution).strip():
        raise ValidationError({"resolution": ["Say how it was resolved."]})
    if status == PlanStatus.CONFIRMED and not confirmation.strip():
        raise ValidationError({"confirmation": ["Record what the customer said when confirming."]})
    cal = selectors.business_calendar()
    if locked.status == PlanStatus.WAITING and status != PlanStatus.WAITING and locked.paused_at:
        since = max(locked.paused_at, _due_moment(locked, cal))
        locked.paused_seconds += int(cal.business_seconds(since, now))
        locked.paused_at = None
    if status == PlanStatus.WAITING and locked.status != PlanStatus.WAITING:
        locked.paused_at = now
    if status in {PlanStatus.RESOLVED, PlanStatus.CONFIRMED}:
        locked.resolution = (resolution or locked.resolution).strip()
        locked.resolved_at = locked.resolved_at or now
        Issue.objects.filter(plans=locked).exclude(status=IssueStatus.CLOSED).update(
            status=IssueStatus.RESOLVED, resolved_at=now, version=F("version") + 1
        )
    if status == PlanStatus.CONFIRMED:
        locked.customer_confirmation = confirmation.strip()
        locked.confirmed_at = now
    locked.status = status
    save_version(locked, by=by)
    _refresh_clock(locked)
    locked.refresh_from_db()
    if status == PlanStatus.RESOLVED:
        _emit_plan("plan.resolved", locked, now, resolution=locked.resolution)
    if status == PlanStatus.CONFIRMED:
        signals.send_plan_confirmed(plan_id=locked.pk, account_id=locked.account_id)  # e.g. a survey pulse, on commit
    return locked


@transaction.atomic
def complete_step(*, step: PlanStep, by: User, now: datetime, done: bool = True) -> PlanStep:
    if not policies.can_tick_step(person=by, step=step):
        raise PermissionDenied("Only the step's assignee or the plan's owner ticks it off.")
    PlanStep.objects.filter(pk=step.pk).update(done_at=now if done else None)
    step.refresh_from_db()
    return step


SWEEP_BATCH = 500  # plans or issues per transaction of run_sweep: its statements are per batch, not per row


def _targets(
    *,
    target: str,
    account: Account,
    owner: User | None,
    department: Department,
    audience: policies.EscalationAudience,
) -> list[User]:
    """The people an escalation level reaches: its seat, kept to those who may open the account (policies)."""
    if target == Target.OWNER_MANAGER:
        seated = audience.person(owner.manager_id if owner is not None else None)
    elif target == Target.DEPARTMENT_LEAD:
        seated = audience.person(department.lead_id)
    elif target == Target.EXECUTIVE_SPONSOR:
        seated = audience.person(account.executive_sponsor_id)
    else:
        seated = None  # it names any executive: escalation_recipients picks the sponsor
    return policies.escalation_recipients(seat=[seated] if seated else [], account=account, audience=audience)


def _ladders(trigger: str) -> dict[tuple[int, str], list[EscalationPolicy]]:
    """Every escalation ladder of a trigger, by (tier, severity), its levels in order: one query."""
    ladders: dict[tuple[int, str], list[EscalationPolicy]] = {}
    for policy in EscalationPolicy.objects.filter(trigger=trigger).order_by("level"):
        ladders.setdefault((policy.tier, policy.severity), []).append(policy)
    return ladders


def _claim_all(escalations: list[Escalation]) -> list[Escalation]:
    """Insert the escalation rows at once. The caller holds their plans' or issues' locks and has read the
    levels reached under them, so none exists already; should one have been written without the lock, the
    unique constraint on (plan, level) / (issue, level) refuses the INSERT, and each row is claimed on its own:
    the ones someone else wrote are left out."""
    if not escalations:
        return []
    try:
        with transaction.atomic():
            return Escalation.objects.bulk_create(escalations)
    except IntegrityError:
        return [claimed for claimed in map(_claim, escalations) if claimed is not None]


def _claim(escalation: Escalation) -> Escalation | None:
    """Insert one escalation row, or return None when its level exists already (someone else won)."""
    try:
        with transaction.atomic():
            escalation.save(force_insert=True)
            return escalation
    except IntegrityError:
        escalation.pk = None
        return None


def escalate_plan(*, plan_id: int, now: datetime) -> list[Escalation]:
    """Escalate one plan by every level that is due and not yet reached. Safe to call any number of times: it
    waits for the plan's row lock (a second worker, a retry) and then finds the levels already there."""
    return escalate_plans(plan_ids=[plan_id], now=now)


def escalate_plans(*, plan_ids: Sequence[int], now: datetime, skip_locked: bool = False) -> list[Escalation]:
    """Escalate these plans by every level due and not yet reached, in one transaction and the same dozen or so
    statements for one plan or a sweep's batch: the levels, the people they notify, their notifications and
    webhook events are each read or written once for all (docs/performance.md, "The first sweep").

    Exactly once: each plan row is locked while its levels are decided, and the unique (plan, level) is the
    backstop. A plan locked by someone else is waited for, or, with `skip_locked` (the sweep), left to its holder
    and to the next sweep, so concurrent sweeps share the work instead of queueing behind each other."""
    created: list[Escalation] = []
    with transaction.atomic():
        plans = list(
            ActionPlan.objects.select_for_update(of=("self",), skip_locked=skip_locked)
            .select_related("account", "owner", "department")
            .filter(pk__in=plan_ids, status__in=[PlanStatus.OPEN, PlanStatus.IN_PROGRESS])
            .order_by("pk")  # locks taken in one order: two callers cannot deadlock
        )
        if not skip_locked and len(plans) < len(set(plan_ids)):
            # Done, paused or deleted since it was found due: off the sweep.
            gone = set(plan_ids) - {plan.pk for plan in plans}
            ActionPlan.objects.filter(pk__in=gone).update(next_escalation_at=None)
        if not plans:
            return []
        ids = [plan.pk for plan in plans]
        cal = selectors.business_calendar()
        ladders = _ladders(Trigger.PLAN_OVERDUE)
        reached: dict[int, set[int]] = {pk: set() for pk in ids}
        acknowledged: set[int] = set()
        for pk, level, acknowledged_at in Escalation.objects.filter(plan_id__in=ids).values_list(
            "plan_id", "level", "acknowledged_at"
        ):
            reached[pk].add(level)
            if acknowledged_at is not None:
                acknowledged.add(pk)
        severities: dict[int, list[str]] = {}
        for pk, severity in ActionPlan.issues.through.objects.filter(actionplan_id__in=ids).values_list(
            "actionplan_id", "issue__severity"
        ):
            severities.setdefault(pk, []).append(severity)

        due: list[tuple[ActionPlan, EscalationPolicy]] = []
        clocks: dict[int, datetime | None] = {}
        for plan in plans:
            clocks[plan.pk] = None  # acknowledged (someone up the chain has it), or at the top of its ladder
            if plan.pk in acknowledged:
                continue
            severity = max(severities.get(plan.pk, [Severity.MEDIUM]), key=SEVERITY_ORDER.index)
            due_from = _due_moment(plan, cal)
            for policy in ladders.get((plan.account.tier, severity), []):
                if policy.level in reached[plan.pk]:
                    continue
                due_at = cal.add_business_seconds(due_from, policy.delay_hours * 3600 + plan.paused_seconds)
                if due_at > now:
                    clocks[plan.pk] = due_at  # the next level: when the sweep looks again
                    break
                due.append((plan, policy))

        created = _claim_all(
            [
                Escalation(plan=plan, level=policy.level, policy=policy, target=policy.target, escalated_at=now)
                for plan, policy in due
            ]
        )
        audience = policies.EscalationAudience.of(
            person_id
            for plan, _ in due
            for person_id in (plan.owner.manager_id, plan.department.lead_id, plan.account.executive_sponsor_id)
        )
        notified: list[Any] = []
        notices: list[organization_services.Notice] = []
        events: list[webhooks.OutgoingEvent] = []
        for escalation in created:
            assert escalation.plan is not None and escalation.policy is not None  # noqa: S101 - built above
            plan, policy = escalation.plan, escalation.policy
            people = _targets(
                target=policy.target,
                account=plan.account,
                owner=plan.owner,
                department=plan.department,
                audience=audience,
            )
            notified += [Escalation.notified.through(escalation_id=escalation.pk, user_id=p.pk) for p in people]
            notices.append(
                organization_services.Notice(
                    users=people,
                    kind="plan.escalated",
                    title=f"Escalation level {policy.level}: “{plan.title}” for {plan.account.name} is overdue",
                    body=f"Due {plan.due_on:%d %b %Y}, owned by {plan.owner.full_name} ({plan.department.name}).",
                    url=reverse("actionplans:detail", args=[plan.pk]),
                    dedupe_key=f"escalation:{escalation.pk}",
                )
            )
            if policy.action == EscalationAction.NOTIFY_REASSIGN and people:
                # A change of owner like any other: the next version, and a history row naming the new owner.
                plan.owner = people[0]
                save_version(plan, by=None, reason=f"Escalation level {policy.level} reassigned it")
            if outgoing := _plan_event("plan.escalated", plan, level=policy.level, target=policy.target):
                events.append(outgoing)
        Escalation.notified.through.objects.bulk_create(notified, batch_size=organization_services.NOTIFY_BATCH)
        organization_services.notify_many(notices=notices)
        webhooks.emit_many(events=events, now=now)
        moved = [plan for plan in plans if plan.next_escalation_at != clocks[plan.pk]]
        for plan in moved:
            plan.next_escalation_at = clocks[plan.pk]
        ActionPlan.objects.bulk_update(moved, ["next_escalation_at"])
    return created


def escalate_issue(*, issue_id: int, now: datetime) -> list[Escalation]:
    """Escalate an issue nobody has acknowledged, level by level. Safe to call any number of times."""
    return escalate_issues(issue_ids=[issue_id], now=now)


def escalate_issues(*, issue_ids: Sequence[int], now: datetime, skip_locked: bool = False) -> list[Escalation]:
    """escalate_plans for unacknowledged issues: each level once, decided under the issue's row lock, and the
    same statements for one issue or a sweep's batch."""
    with transaction.atomic():
        issues = list(
            Issue.objects.select_for_update(of=("self",), skip_locked=skip_locked)
            .select_related("account", "department")
            .filter(pk__in=issue_ids, status=IssueStatus.NEW)
            .order_by("pk")
        )
        if not issues:
            return []
        cal = selectors.business_calendar()
        ladders = _ladders(Trigger.ISSUE_UNACKNOWLEDGED)
        reached: dict[int, set[int]] = {issue.pk: set() for issue in issues}
        for pk, level in Escalation.objects.filter(issue_id__in=reached).values_list("issue_id", "level"):
            reached[pk].add(level)
        due: list[tuple[Issue, EscalationPolicy]] = []
        clocks: dict[int, datetime] = {}
        for issue in issues:
            clocks[issue.pk] = ESCALATION_DONE
            for policy in ladders.get((issue.account.tier, issue.severity), []):
                if policy.level in reached[issue.pk]:
                    continue
                due_at = cal.add_business_seconds(issue.raised_at, policy.delay_hours * 3600)
                if due_at > now:
                    clocks[issue.pk] = due_at  # the next level: when the sweep looks again
                    break
                due.append((issue, policy))
        created = _claim_all(
            [
                Escalation(issue=issue, level=policy.level, policy=policy, target=policy.target, escalated_at=now)
                for issue, policy in due
            ]
        )
        audience = policies.EscalationAudience.of(
            person_id
            for issue, _ in due
            for person_id in (issue.department.lead_id, issue.account.executive_sponsor_id)
        )
        notified: list[Any] = []
        notices: list[organization_services.Notice] = []
        for escalation in created:
            assert escalation.issue is not None and escalation.policy is not None  # noqa: S101 - built above
            issue, policy = escalation.issue, escalation.policy
            people = _targets(
                target=policy.target, account=issue.account, owner=None, department=issue.department, audience=audience
            )
            notified += [Escalation.notified.through(escalation_id=escalation.pk, user_id=p.pk) for p in people]
            notices.append(
                organization_services.Notice(
                    users=people,
                    kind="issue.escalated",
                    title=f"Unacknowledged {issue.get_severity_display().lower()} issue from {issue.account.name}",
                    body=issue.verbatim,
                    url=reverse("feedback:issue-detail", args=[issue.pk]),
                    dedupe_key=f"escalation:{escalation.pk}",
                )
            )
        Escalation.notified.through.objects.bulk_create(notified, batch_size=organization_services.NOTIFY_BATCH)
        organization_services.notify_many(notices=notices)
        moved = [issue for issue in issues if issue.next_escalation_at != clocks[issue.pk]]
        for issue in moved:
            issue.next_escalation_at = clocks[issue.pk]
        Issue.objects.bulk_update(moved, ["next_escalation_at"])
    return created


@transaction.atomic
def acknowledge_escalation(*, escalation: Escalation, by: User, now: datetime) -> Escalation:
    """The person it reached takes it on: its clock stops, and no further level fires for that plan."""
    if not policies.can_acknowledge_escalation(person=by, escalation=escalation):
        raise PermissionDenied("Only the people it was escalated to acknowledge it.")
    Escalation.objects.filter(pk=escalation.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=by
    )
    if escalation.plan_id:
        ActionPlan.objects.filter(pk=escalation.plan_id).update(next_escalation_at=None)
    escalation.refresh_from_db()
    return escalation


def run_sweep(*, now: datetime) -> tuple[int, int]:
    """One synchronous sweep (manage.py run_escalations, bench, tests): every due plan and issue, escalated
    in-process in batches of SWEEP_BATCH, each batch one transaction with a fixed number of statements. Rows
    another worker holds are skipped (it is escalating them, or the next sweep will)."""
    plan_ids = list(selectors.plans_due_for_escalation(now=now).values_list("pk", flat=True))
    plans = sum(
        len(escalate_plans(plan_ids=plan_ids[i : i + SWEEP_BATCH], now=now, skip_locked=True))
        for i in range(0, len(plan_ids), SWEEP_BATCH)
    )
    issue_ids = selectors.issue_ids_due_for_escalation(now=now)
    issues = sum(
        len(escalate_issues(issue_ids=issue_ids[i : i + SWEEP_BATCH], now=now, skip_locked=True))
        for i in range(0, len(issue_ids), SWEEP_BATCH)
    )
    return plans, issues


def remind_promises(*, now: datetime, days_ahead: int = 2) -> int:
    """Remind owners of promises falling due within `days_ahead` days, once per plan and promise date."""
    today = timezone.localdate(now)
    sent = 0
    plans = ActionPlan.objects.active().filter(
        promise_on__gte=today, promise_on__lte=today + timedelta(days=days_ahead)
    )
    for plan in plans.select_related("account", "owner"):
        sent += organization_services.notify(
            users=[plan.owner],
            kind="plan.promise_due",
            title=f"Promise to {plan.account.name} due {plan.promise_on:%d %b}: “{plan.title}”",
            url=reverse("actionplans:detail", args=[plan.pk]),
            dedupe_key=f"promise:{plan.pk}:{plan.promise_on}",
        )
    return sent


def send_weekly_digests(*, now: datetime) -> int:
    """Once a week, each person hears what they owe customers: their active plans (overdue first) and open steps.
    One notification per person and ISO week, so a repeated run sends nothing new; the email digest delivers it."""
    today = timezone.localdate(now)
    year, week, _ = today.isocalendar()
    plans = ActionPlan.objects.active().select_related("account").order_by("due_on")
    steps = PlanStep.objects.filter(done_at__isnull=True, plan__status__in=ACTIVE_STATUSES, assignee__isnull=False)
    owed: dict[int, list[str]] = {}
    for plan in plans:
        late = " (overdue)" if plan.due_on < today else ""
        promise = f", promised {plan.promise_on:%d %b}" if plan.promise_on else ""
        owed.setdefault(plan.owner_id, []).append(
            f"{plan.account.name}: {plan.title} — due {plan.due_on:%d %b}{promise}{late}"
        )
    for step in policies.steps_owed_visible_to_assignees(steps.select_related("plan__account", "assignee")):
        assert step.assignee_id is not None  # noqa: S101 - filtered above
        owed.setdefault(step.assignee_id, []).append(
            f"Step “{step.title}” of {step.plan.title} ({step.plan.account.name})"
        )
    sent = 0
    for user in User.objects.filter(pk__in=owed, is_active=True):
        lines = owed[user.pk]
        sent += organization_services.notify(
            users=[user],
            kind="digest.weekly",
            title=f"What you owe customers this week: {len(lines)} item(s)",
            body="\n".join(lines[:50]),
            url=reverse("actionplans:mine"),
            dedupe_key=f"weekly:{year}-{week}",
        )
    return sent
