"""Rebuild every account's monthly rollups from the contact logs: after a bulk load, a restore, or to repair."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from dashboards import services


class Command(BaseCommand):
    help = "Recount every account's monthly conversation rollups from the contact logs (set-based, in batches)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000, help="Accounts per INSERT … SELECT.")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done:>7} of {total} accounts  ({time.monotonic() - started:.1f} s)")

        written = services.rebuild_rollups(batch_size=batch_size, progress=progress)
        took = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {written} account-months in {took:.1f} s."))
