from celery import shared_task
from django.utils import timezone

from kernel.tasks import Task
from organization import services
from organization.models import Notification
from organization.webhooks import services as webhooks


@shared_task
def send_notification_digests_task() -> None:
    """Beat: fan out one digest task per person with unsent notifications."""
    users = Notification.objects.filter(emailed_at__isnull=True).values_list("user_id", flat=True).distinct()
    for user_id in users:
        send_notification_digest_task.delay(user_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_notification_digest_task(user_id: int) -> None:
    services.send_notification_digest(user_id=user_id, now=timezone.now())


# Webhooks (organization.webhooks). A delivery's retries are driven by the re-sweep, not by task retries: a
# failed attempt records its backoff on the row, and the sweep queues it when due.
# Task (every task's class, see connectivity.celery) gives a delay_on_commit that survives a broker outage;
# naming it types it for mypy.
@shared_task(base=Task, acks_late=True)
def deliver_webhook_task(delivery_id: int) -> None:
    webhooks.deliver(delivery_id=delivery_id, now=timezone.now())


@shared_task
def redeliver_webhooks_task() -> None:
    """Beat, every minute: queue the pending deliveries that are due (retries, and tasks lost before running)."""
    webhooks.redeliver_due(now=timezone.now())
