"""Thin, idempotent tasks: they take ids, re-read state, and leave the deciding (and the claiming) to services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from kernel.tasks import Task
from surveys import services
from surveys.models import SurveyCampaign

REMINDER_BATCH = 100


# acks_late (settings): a task whose worker dies is delivered again; the rows it claimed are not claimed twice.
@shared_task(base=Task, acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_invitations_task(campaign_id: int) -> None:
    services.send_invitations(campaign_id=campaign_id, now=timezone.now())


@shared_task(base=Task)
def send_due_invitations_task() -> None:
    """Beat: campaigns that still owe invitations (a pulse whose delay is over, a send the broker lost)."""
    now = timezone.now()
    owing = SurveyCampaign.objects.filter(
        state=SurveyCampaign.State.SENDING, expires_at__gt=now, invitations__sent_at__isnull=True
    ).exclude(send_after__gt=now)
    for campaign_id in owing.values_list("pk", flat=True).distinct():
        send_invitations_task.delay(campaign_id)


@shared_task(base=Task)
def send_reminders_task() -> None:
    """Beat: fan out the invitations due a reminder, in batches; do no sending here."""
    ids = services.invitations_due_for_reminder(now=timezone.now())
    for start in range(0, len(ids), REMINDER_BATCH):
        send_reminder_batch_task.delay(ids[start : start + REMINDER_BATCH])


@shared_task(base=Task, acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_reminder_batch_task(invitation_ids: list[int]) -> None:
    services.send_reminders(invitation_ids=invitation_ids, now=timezone.now())


@shared_task(base=Task, acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def raise_issues_task(response_id: int) -> None:
    services.raise_issues_for_response(response_id=response_id, now=timezone.now())


@shared_task(base=Task, acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def schedule_pulse_task(plan_id: int) -> None:
    services.schedule_pulse(plan_id=plan_id, now=timezone.now())
