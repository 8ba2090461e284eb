from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from actionplans import services


class Command(BaseCommand):
    help = "Run one escalation sweep synchronously (what the beat task fans out to workers)."

    def handle(self, *args: Any, **options: Any) -> None:
        plans, issues = services.run_sweep(now=timezone.now())
        self.stdout.write(f"Escalated {plans} plan level(s) and {issues} issue level(s).")
