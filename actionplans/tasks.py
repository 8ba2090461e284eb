"""Thin, idempotent tasks: they take ids, re-read state, and leave the deciding to services."""

from celery import shared_task
from django.utils import timezone

from actionplans import selectors, services

# Ids per escalation task: each task escalates its batch in a fixed number of statements (services.escalate_plans),
# and the batches spread over the workers.
TASK_BATCH = 100


@shared_task
def escalation_sweep_task() -> None:
    """Beat, every minute: fan out the ids of what may be due, in batches; do no escalating here."""
    now = timezone.now()
    plan_ids = list(selectors.plans_due_for_escalation(now=now).values_list("pk", flat=True))
    for start in range(0, len(plan_ids), TASK_BATCH):
        escalate_plans_task.delay(plan_ids[start : start + TASK_BATCH])
    issue_ids = selectors.issue_ids_due_for_escalation(now=now)
    for start in range(0, len(issue_ids), TASK_BATCH):
        escalate_issues_task.delay(issue_ids[start : start + TASK_BATCH])


# acks_late + reject_on_worker_lost (settings): a task whose worker dies is delivered again; the service's
# locks (taken in id order, waited for) and unique constraints make the repeat, or an overlapping sweep, harmless.
@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def escalate_plans_task(plan_ids: list[int]) -> None:
    services.escalate_plans(plan_ids=plan_ids, now=timezone.now())


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def escalate_issues_task(issue_ids: list[int]) -> None:
    services.escalate_issues(issue_ids=issue_ids, now=timezone.now())


# One id: what the sweep sent before it sent batches (messages still queued across a deploy), and a single retry.
@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def escalate_plan_task(plan_id: int) -> None:
    services.escalate_plan(plan_id=plan_id, now=timezone.now())


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def escalate_issue_task(issue_id: int) -> None:
    services.escalate_issue(issue_id=issue_id, now=timezone.now())


@shared_task
def remind_promises_task() -> None:
    services.remind_promises(now=timezone.now())


@shared_task
def send_weekly_digests_task() -> None:
    services.send_weekly_digests(now=timezone.now())
