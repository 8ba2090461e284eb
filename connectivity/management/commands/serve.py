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
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="Migrate first, then seed demo data into an empty database while the worker starts (make run).",
        )

    def handle(self, *args: Any, addrport: str, prepare: bool, **options: Any) -> None:
        # One process for the whole start, the worker's start-up overlapping the seed: a fresh clone is serving in
        # seconds, and healthy as soon as the worker reports ready (connectivity.celery), not a beat interval later.
        if prepare:
            call_command("migrate", interactive=False, verbosity=0)  # before the worker: beat reads its tables
        worker = self._start_worker()

        stopping = threading.Event()

        def stop(signum: int, frame: Any) -> None:
            if not stopping.is_set():
                stopping.set()
                raise KeyboardInterrupt

        def watch_worker() -> None:
            # A dead worker means no escalations and no heartbeat: stop everything rather than limp on.
            if worker.wait() != 0 and not stopping.is_set():
                self.stderr.write("The Celery worker stopped; stopping the server too.")
                os.kill(os.getpid(), signal.SIGTERM)

        # SIGINT explicitly too: started in the background by a script, a process inherits SIGINT ignored, and
        # Ctrl-C on the process group (as .ci/run sends it) would stop only a worker that was already booted.
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        threading.Thread(target=watch_worker, daemon=True).start()
        try:
            if prepare:
                call_command("seed_demo", if_empty=True, no_logins=True)
            self._list_demo_logins()
            self.stdout.write(f"Serving http://{addrport}/ with a Celery worker and beat (Ctrl-C stops all).")
            # This command ran the system checks already.
            call_command("runserver", addrport, use_reloader=False, skip_checks=True)
        except KeyboardInterrupt:
            pass
        finally:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()

    def _list_demo_logins(self) -> None:
        # The one place `make run` lists the demo logins (seed_demo runs with --no-logins), on every start.
        present = set(
            User.objects.filter(email__in=[email for email, *_ in DEMO_USERS]).values_list("email", flat=True)
        )
        if present:
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for email, _, role, _ in DEMO_USERS:
                if email in present:
                    self.stdout.write(f"  {email:<28} {role.label}")

    def _start_worker(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
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
