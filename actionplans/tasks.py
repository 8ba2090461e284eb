"""Thin, idempotent tasks: they take ids, re-read state, and leave the deciding to services."""

from celery import shared_task
from django.utils import timezone

from actionplans import selectors, services


@shared_task
def escalation_sweep_task() -> None:
    """Beat, every minute: fan out the ids of what may be due; do no escalating here."""
    now = timezone.now()
    for plan_id in selectors.plans_due_for_escalation(now=now).values_list("pk", flat=True).iterator():
        escalate_plan_task.delay(plan_id)
    for issue_id in selectors.issue_ids_due_for_escalation(now=now):
        escalate_issue_task.delay(issue_id)


# acks_late + reject_on_worker_lost (settings): a task whose worker dies is delivered again; the service's
# lock and unique constraints make the repeat harmless.
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
