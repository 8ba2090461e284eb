from celery import shared_task
from django.utils import timezone

from connectivity import services


@shared_task(ignore_result=True)
def record_heartbeat_task() -> None:
    services.record_heartbeat(now=timezone.now())
