from celery import shared_task
from django.utils import timezone

from organization import services
from organization.models import Notification


@shared_task
def send_notification_digests_task() -> None:
    """Beat: fan out one digest task per person with unsent notifications."""
    users = Notification.objects.filter(emailed_at__isnull=True).values_list("user_id", flat=True).distinct()
    for user_id in users:
        send_notification_digest_task.delay(user_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_notification_digest_task(user_id: int) -> None:
    services.send_notification_digest(user_id=user_id, now=timezone.now())
