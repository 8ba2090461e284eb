from django.db import models


class Heartbeat(models.Model):
    """The last time a Celery worker ran the beat-scheduled heartbeat task: proof that beat and a worker live."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
