import argparse
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from connectivity import seeding_large
from connectivity.seeding import seed_modules
from kernel.seeding import DEMO_PASSWORD, SeedContext
from organization.models import User


class Command(BaseCommand):
    help = "Fill an empty database with deterministic synthetic demo data (departments, users of every role, …)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scale", choices=["small", "large"], default="small")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when users exist already.")
        parser.add_argument("--quiet", action="store_true", help="No progress bars.")
        parser.add_argument(
            "--no-logins", action="store_true", help="Do not list the demo logins (`make run`: serve lists them)."
        )
        # Internal: the large path at a fraction of its size, for its test and the CI bench.
        parser.add_argument("--scale-factor", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(
        self,
        *args: Any,
        scale: str,
        seed: int,
        if_empty: bool,
        quiet: bool,
        no_logins: bool,
        scale_factor: float,
        **options: Any,
    ) -> None:
        if scale == "large" and not seeding_large.is_supported():
            self.stderr.write("seed_demo --scale large needs PostgreSQL (it loads with COPY): set DATABASE_URL.")
            raise SystemExit(1)
        if User.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already present; nothing to do.")
                return
            self.stderr.write("The database already has users; seed_demo only fills an empty database.")
            raise SystemExit(1)
        ctx = SeedContext(scale=scale, seed=seed, quiet=quiet)  # type: ignore[arg-type]
        started = time.monotonic()
        with transaction.atomic():
            if scale == "large":
                seeding_large.seed(ctx, counts=seeding_large.Counts().scaled(scale_factor))
            else:
                for module in seed_modules():
                    module.seed(ctx)
        took = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Seeded {scale} demo data (seed {seed}) in {took:.0f} s."))
        if not no_logins:
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for email, role in ctx.shared.get("demo_logins", []):
                self.stdout.write(f"  {email:<28} {role}")
