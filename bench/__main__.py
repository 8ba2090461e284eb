"""`make bench`: latency, throughput and queries per request on PostgreSQL + Redis behind gunicorn.

Steps: create the bench database if needed, migrate, seed (`--scale large` by default) when empty, collect static
files, start gunicorn (2 workers, DEBUG off, production settings plus the opt-in query counter) on 127.0.0.1,
drive a fixed number of requests per endpoint from a few threads, time each list's raw-SQL baseline and each API
list and detail's bare baseline (bench.bare under the same gunicorn settings on the next port), time the
escalation sweep and the KPI snapshot in-process, then print the table and write bench/results/<UTC time>.json.
Budgets are checked and reported (docs/performance.md); a slow machine never fails the run, errors do.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/connectivity_bench"
BENCH_USER = "erin@example.com"  # an executive: sees every account, as the dashboards' audience does
HOST = "127.0.0.1"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "large"], default="large", help="dataset to seed if empty")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=3, choices=[2, 3, 4], help="client threads")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per endpoint first")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database for the bench (created if missing; env BENCH_DATABASE_URL)",
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8097")))
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="where the JSON goes")
    return parser.parse_args(argv)


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """Production settings for plain HTTP on 127.0.0.1: DEBUG off, a throwaway key, Redis as broker and cache."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "CACHE_URL": args.redis_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "API_THROTTLE_RATE": "1000000/min",  # measure the endpoints, not the rate limiter
        "QUERY_COUNT_HEADER": "true",
        "VAR_DIR": str(ROOT / "var" / "bench"),
        "LOG_LEVEL": "WARNING",
    }


def manage(*command: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *command], check=True, cwd=ROOT)  # noqa: S603


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def is_seeded(url: str) -> bool:
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM organization_user)")
        return bool(cursor.fetchone()[0])


def vacuum(url: str, *, compact_accounts: bool) -> None:
    """Statistics for the planner and a visibility map for index-only scans, as autovacuum keeps them live.

    After a seed, the accounts table is also compacted: the set-based recompute rewrites every row several times
    in one transaction, which leaves it several times its size, a state no live table stays in.
    """
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        # Seeded by another command (seed_demo run by hand): its dead rows say so.
        cursor.execute("SELECT n_dead_tup > n_live_tup FROM pg_stat_user_tables WHERE relname = 'accounts_account'")
        bloated = bool((cursor.fetchone() or [False])[0])
        if compact_accounts or bloated:
            cursor.execute("VACUUM (FULL) accounts_account")
        cursor.execute("VACUUM (ANALYZE)")
    connection.close()


def start_gunicorn(port: int, log: Path, app: str = "connectivity.wsgi:application") -> subprocess.Popen[bytes]:
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        app,
        "--workers=2",
        f"--bind={HOST}:{port}",
        "--timeout=60",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    from bench.load import Request, send

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            send(HOST, port, Request("GET", "/healthz", {"Host": HOST}), timeout=2)
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer on {HOST}:{port} within 60 s; see {log}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    os.environ.update(server_environment(args))
    started_at = datetime.now(UTC)
    run: dict[str, Any] = {
        "started_at": started_at.isoformat(),
        "scale": args.scale,
        "requests_per_endpoint": args.requests,
        "concurrency": args.concurrency,
        "warmup": args.warmup,
        "database": args.database_url.rsplit("/", 1)[1],
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    step("Database")
    ensure_database(args.database_url)
    manage("migrate", "--noinput", "-v0")
    if not is_seeded(args.database_url):
        step(f"Seeding the {args.scale} dataset")
        seeding = time.monotonic()
        manage("seed_demo", "--scale", args.scale)
        run["seed_seconds"] = round(time.monotonic() - seeding, 1)
    vacuum(args.database_url, compact_accounts="seed_seconds" in run)
    manage("collectstatic", "--noinput", "-v0")

    import django

    django.setup()
    from bench import measure

    run["git_commit"] = measure.git_commit()
    run["dataset"] = measure.dataset_counts()
    measure.flush_redis(args.redis_url)
    measure.refresh_stored_figures()
    targets = measure.prepare_targets(bench_user=BENCH_USER)
    run["load_average_at_start"] = round(os.getloadavg()[0], 2)  # before gunicorn: what others were doing
    log = ROOT / "var" / "bench" / "gunicorn.log"
    step(f"gunicorn on {HOST}:{args.port} (2 workers, DEBUG off)")
    server = start_gunicorn(args.port, log)
    bare_log = ROOT / "var" / "bench" / "gunicorn-bare.log"
    step(f"bare baseline (bench.bare) on {HOST}:{args.port + 1} (2 workers)")
    try:
        bare = start_gunicorn(args.port + 1, bare_log, app="bench.bare:application")
    except BaseException:
        server.terminate()
        server.wait(timeout=30)
        raise
    try:
        run["endpoints"] = measure.measure_endpoints(
            targets, host=HOST, port=args.port, bare_port=args.port + 1, args=args
        )
    finally:
        for process in (server, bare):
            process.terminate()
            process.wait(timeout=30)
    step("Background work, in-process")
    run["tasks"] = measure.measure_tasks()
    measure.flush_redis(args.redis_url)
    run["finished_at"] = datetime.now(UTC).isoformat()
    # How busy the machine was while it measured: latencies on a shared machine are read beside this.
    loads = [run["load_average_at_start"], *(e["load_average_1m"] for e in run["endpoints"] if e.get("available"))]
    run["load_average"] = {"min": min(loads), "max": max(loads), "at_end": round(os.getloadavg()[0], 2)}
    run["budgets"] = measure.check_budgets(run)
    path = measure.write_results(run, args.results.resolve(), started_at)
    sys.stdout.write(measure.render_table(run) + f"\nResults: {path.relative_to(ROOT)}\n")
    failed = [
        e["key"]
        for e in run["endpoints"]
        if e.get("available") and (e.get("errors") or (e.get("bare") or {}).get("errors"))
    ]
    if failed:
        sys.stdout.write(f"Requests failed on: {', '.join(failed)} (see {log.relative_to(ROOT)})\n")
        return 1
    return 0


def step(text: str) -> None:
    sys.stdout.write(f"\n==> {text}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
