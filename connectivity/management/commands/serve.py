import os
import signal
import subprocess
import sys
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kernel.seeding import DEMO_PASSWORD
from organization.models import User
from organization.seed import DEMO_USERS


class Command(BaseCommand):
    help = "The embedded run: a real Celery worker with beat beside the web server, stopped together by Ctrl-C."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, addrport: str, **options: Any) -> None:
        # The one place `make run` lists the demo logins (seed_demo runs with --no-logins), on every start.
        present = set(
            User.objects.filter(email__in=[email for email, *_ in DEMO_USERS]).values_list("email", flat=True)
        )
        if present:
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for email, _, role, _ in DEMO_USERS:
                if email in present:
                    self.stdout.write(f"  {email:<28} {role.label}")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "connectivity",
                "worker",
                "-B",
                "--loglevel=INFO",
                "--concurrency=2",
            ],
        )

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        def watch_worker() -> None:
            # A dead worker means no escalations and no heartbeat: stop everything rather than limp on.
            if worker.wait() != 0:
                self.stderr.write("The Celery worker stopped; stopping the server too.")
                os.kill(os.getpid(), signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        threading.Thread(target=watch_worker, daemon=True).start()
        try:
            self.stdout.write(f"Serving http://{addrport}/ with a Celery worker and beat (Ctrl-C stops all).")
            call_command("runserver", addrport, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
