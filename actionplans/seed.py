"""Demo action plans for most issues: some resolved on time, some broken promises, about 5% overdue."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from actionplans.models import COMPLAINT_TEMPLATE, ActionPlan, PlanStatus, PlanStep
from feedback.models import Issue, IssueStatus
from kernel.seeding import SeedContext


def seed(ctx: SeedContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    today = timezone.localdate()
    issues = list(
        Issue.objects.filter(status__in=[IssueStatus.PLANNED, IssueStatus.RESOLVED, IssueStatus.CLOSED])
        .order_by("pk")
        .values_list(
            "pk", "account_id", "department_id", "raised_by_id", "raised_at", "resolved_at", "verbatim", "status"
        )
    )
    limit = ctx.pick(small=len(issues), large=200_000)
    plans: list[ActionPlan] = []
    links: list[tuple[int, int]] = []  # (plan index, issue id)
    for pk, account_id, department_id, raised_by, raised_at, resolved_at, verbatim, status in issues[:limit]:
        due = timezone.localdate(raised_at) + timedelta(days=rng.randint(5, 30))
        promise = due + timedelta(days=rng.randint(0, 7)) if rng.random() < 0.7 else None
        done = status in {IssueStatus.RESOLVED, IssueStatus.CLOSED}
        if done and resolved_at is not None:
            plan_status = PlanStatus.CONFIRMED if rng.random() < 0.4 else PlanStatus.RESOLVED
        else:
            plan_status = rng.choice(
                [PlanStatus.OPEN, PlanStatus.IN_PROGRESS, PlanStatus.IN_PROGRESS, PlanStatus.WAITING]
            )
            if rng.random() < 0.65:  # most open plans are on schedule; the rest are overdue (~5% of all plans)
                due = today + timedelta(days=rng.randint(1, 30))
                promise = due + timedelta(days=rng.randint(0, 5)) if promise else None
        plans.append(
            ActionPlan(
                account_id=account_id,
                title=verbatim[:120],
                owner_id=raised_by,
                department_id=department_id,
                status=plan_status,
                due_on=due,
                promise_on=promise,
                promised_at=raised_at + timedelta(days=1) if promise else None,
                resolution="Fixed and explained to the customer."
                if plan_status in {PlanStatus.RESOLVED, PlanStatus.CONFIRMED}
                else "",
                resolved_at=resolved_at if done else None,
                customer_confirmation="Confirmed on the follow-up call." if plan_status == PlanStatus.CONFIRMED else "",
                confirmed_at=resolved_at if plan_status == PlanStatus.CONFIRMED else None,
                paused_at=now if plan_status == PlanStatus.WAITING else None,
                # Overdue plans are looked at by the first sweep, which escalates them exactly as it would live.
                next_escalation_at=now
                if plan_status in {PlanStatus.OPEN, PlanStatus.IN_PROGRESS} and due < today
                else None,
                created_by_id=raised_by,
            )
        )
        links.append((len(plans) - 1, pk))
    plans = ActionPlan.objects.bulk_create(ctx.progress(plans, total=len(plans), desc="action plans"), batch_size=5000)
    through = ActionPlan.issues.through
    through.objects.bulk_create(
        (through(actionplan_id=plans[index].pk, issue_id=issue_id) for index, issue_id in links), batch_size=10000
    )
    complaint = [p for p in plans[: ctx.pick(small=len(plans), large=20_000)] if rng.random() < 0.5]
    PlanStep.objects.bulk_create(
        (
            PlanStep(
                plan=p,
                title=title,
                order=i,
                done_at=now if p.status in {PlanStatus.RESOLVED, PlanStatus.CONFIRMED} else None,
            )
            for p in complaint
            for i, title in enumerate(COMPLAINT_TEMPLATE)
        ),
        batch_size=10000,
    )
