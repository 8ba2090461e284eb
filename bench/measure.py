"""The bench's measurements and report, run inside the bench process once Django is set up (bench.__main__)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from bench.endpoints import API_CREATE_STATEMENTS, Endpoint, Targets, endpoints
from bench.load import FAILED, Sample, drive, drive_callable, percentiles, send

ROOT = Path(__file__).resolve().parent.parent
SWEEP_BUDGET_SECONDS = 0.1  # the steady sweep beat runs every minute
BACKLOG_SWEEP_BUDGET_SECONDS = 60.0  # the first sweep over a freshly seeded dataset's overdue backlog
SNAPSHOT_BUDGET_SECONDS = 1.0
BARE_RATIO_BUDGET = 3.0
OPTIONAL_PAGES = {"page_dashboard": "/dashboard/", "page_kpis": "/kpis/", "page_yoy": "/surveys/yoy/"}


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def dataset_counts() -> dict[str, int]:
    from accounts.models import Account, CustomerContact
    from actionplans.models import ActionPlan
    from feedback.models import ContactLog, Issue

    today = timezone.localdate()
    return {
        "accounts": Account.objects.count(),
        "contacts": CustomerContact.objects.count(),
        "contact_logs": ContactLog.objects.count(),
        "issues": Issue.objects.count(),
        "action_plans": ActionPlan.objects.count(),
        "active_plans": ActionPlan.objects.active().count(),
        "overdue_plans": ActionPlan.objects.active().filter(due_on__lt=today).count(),
    }


def flush_redis(url: str) -> None:
    """Tasks the measured requests enqueue (notifications, emails) have no worker here: drop them."""
    import redis

    redis.Redis.from_url(url).flushdb()


def _availability(key: str, path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return f"not available: no {path} in this build yet"
    if getattr(match.func, "__name__", "") == "coming_soon":
        return f"not available: {path} is still the coming-soon page"
    return ""


def prepare_targets(*, bench_user: str) -> Targets:
    from accounts.models import Account
    from organization import services as organization_services
    from organization.models import ApiClient, Department, User

    user = User.objects.get(email=bench_user)
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    ApiClient.objects.filter(name="bench").delete()
    departments = {d.slug: d for d in Department.objects.all()}
    _, token = organization_services.create_api_client(
        name="bench",
        department=departments.get("quality") or next(iter(departments.values())),
        can_read=True,
        can_write=True,
    )
    visible = list(Account.objects.filter(is_confidential=False).order_by("rank").values_list("pk", flat=True))
    step = max(1, len(visible) // 50)
    inbox = departments.get("quality") or next(iter(departments.values()))
    second = departments.get("billing") or inbox
    return Targets(
        token=token,
        session=session,
        account_ids=visible[::step][:50],
        deep_rank=int(Account.objects.count() * 0.8),
        department_id=inbox.pk,
        department_slug=inbox.slug,
        issue_departments=[inbox.pk, second.pk],
        available_pages={key: _availability(key, path) for key, path in OPTIONAL_PAGES.items()},
    )


def refresh_stored_figures() -> None:
    """What beat keeps fresh in a running system (every ten minutes, and after changes), computed once before the
    run: the bench starts no Celery worker, so a page would otherwise compute it live on every request."""
    from dashboards import services as dashboard_services

    seconds, rows = _timed(dashboard_services.refresh_kpi_windows)
    _progress(f"KPI page figures stored: {rows} rows in {seconds:.1f} s")
    connection.close()


def _raw_runner(endpoint: Endpoint) -> Any:
    """One psycopg2 connection per client thread, as a pool would give; the query is fetched in full."""
    assert endpoint.raw is not None  # noqa: S101 - only called for endpoints with a baseline
    raw = endpoint.raw
    local = threading.local()
    opened: list[Any] = []
    url = os.environ["DATABASE_URL"]

    def run(i: int) -> None:
        conn = getattr(local, "connection", None)
        if conn is None:
            conn = local.connection = psycopg2.connect(url)
            conn.autocommit = True
            opened.append(conn)
        with conn.cursor() as cursor:
            cursor.execute(raw.sql, raw.params(i))
            cursor.fetchall()

    return run, opened


def _failures(sample: Sample) -> int:
    return sum(n for code, n in sample.statuses.items() if code >= 400 or code == FAILED)


def _measure_bare(
    endpoint: Endpoint, *, host: str, port: int, bare_port: int, args: argparse.Namespace
) -> dict[str, Any]:
    """The same requests against bench.bare; `same_body` says whether one of them answered byte for byte alike."""
    assert endpoint.make is not None  # noqa: S101 - only called for measured endpoints
    probe = endpoint.make(0)
    same = send(host, port, probe)[:2] == send(host, bare_port, probe)[:2]
    sample = drive(
        host, bare_port, endpoint.make, requests=args.requests, concurrency=args.concurrency, warmup=args.warmup
    )
    summary = sample.summary()
    summary.pop("queries")
    summary.pop("statuses")
    return {**summary, "errors": _failures(sample), "same_body": same}


def measure_endpoints(
    targets: Targets, *, host: str, port: int, bare_port: int, args: argparse.Namespace
) -> list[dict[str, Any]]:
    rows = []
    for endpoint in endpoints(targets, host=host, now=timezone.now()):
        row: dict[str, Any] = {"key": endpoint.key, "label": endpoint.label, "budget_p95_ms": endpoint.budget_p95_ms}
        if endpoint.make is None:
            rows.append({**row, "available": False, "reason": endpoint.reason})
            _progress(f"{endpoint.label}: {endpoint.reason}")
            continue
        sample = drive(
            host, port, endpoint.make, requests=args.requests, concurrency=args.concurrency, warmup=args.warmup
        )
        row.update(available=True, **sample.summary())
        row["errors"] = _failures(sample)
        row["load_average_1m"] = round(os.getloadavg()[0], 2)  # right after its requests: how busy the machine was
        if endpoint.raw is not None:
            run, opened = _raw_runner(endpoint)
            raw = drive_callable(run, requests=args.requests, concurrency=args.concurrency, warmup=args.warmup)
            for conn in opened:
                conn.close()
            row["raw"] = {"sql": endpoint.raw.sql, **raw.summary()}
            row["raw"].pop("statuses")
            row["raw"].pop("queries")
            row["ratio_p50"] = _ratio(row["p50_ms"], row["raw"]["p50_ms"])
            row["ratio_p95"] = _ratio(row["p95_ms"], row["raw"]["p95_ms"])
        if endpoint.bare:
            row["bare"] = _measure_bare(endpoint, host=host, port=port, bare_port=bare_port, args=args)
            row["ratio_bare_p50"] = _ratio(row["p50_ms"], row["bare"]["p50_ms"])
            row["ratio_bare_p95"] = _ratio(row["p95_ms"], row["bare"]["p95_ms"])
        rows.append(row)
        _progress(f"{endpoint.label}: p95 {row['p95_ms']} ms, {row['queries']}")
    return rows


def _ratio(ours: float | None, raw: float | None) -> float | None:
    return round(ours / raw, 1) if ours is not None and raw else None


def _timed(function: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def measure_tasks() -> list[dict[str, Any]]:
    from actionplans import selectors as plan_selectors
    from actionplans import services as plan_services
    from actionplans.models import ActionPlan

    rows: list[dict[str, Any]] = []
    open_plans = ActionPlan.objects.active().count()
    # The first sweep meets every plan and issue that fell due since seeding (a backlog no live system has: beat
    # sweeps every minute); the sweep right after it is the steady state, the selection over all open plans. Both
    # run in one transaction that is rolled back, so every run of the bench meets the seeded backlog again.
    with transaction.atomic():
        for key, label in [("sweep_backlog", "Escalation sweep, backlog"), ("sweep", "Escalation sweep, steady")]:
            now = timezone.now()
            due = plan_selectors.plans_due_for_escalation(now=now).count()
            seconds, (plans, issues) = _timed(lambda: plan_services.run_sweep(now=timezone.now()))
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "available": True,
                    "seconds": round(seconds, 3),
                    "open_plans": open_plans,
                    "plans_due": due,
                    "plan_escalations": plans,
                    "issue_escalations": issues,
                    "queries_note": "in-process, one PostgreSQL connection, rolled back after",
                }
            )
            _progress(f"{label}: {seconds:.2f} s ({due} plans due, {plans} + {issues} escalations)")
        transaction.set_rollback(True)
    rows.append(_snapshot())
    connection.close()
    return rows


def _snapshot() -> dict[str, Any]:
    row: dict[str, Any] = {"key": "kpi_snapshot", "label": "KPI snapshot task"}
    try:
        from dashboards import services as dashboard_services
    except ImportError:
        dashboard_services = None  # type: ignore[assignment]
    snapshot = getattr(dashboard_services, "snapshot_kpis", None)
    if snapshot is None:
        _progress("KPI snapshot: not available (no dashboards.services.snapshot_kpis yet)")
        return {**row, "available": False, "reason": "not available: no dashboards.services.snapshot_kpis yet"}
    seconds, _ = _timed(lambda: snapshot(day=timezone.localdate()))
    _progress(f"KPI snapshot: {seconds:.2f} s")
    return {**row, "available": True, "seconds": round(seconds, 3)}


def check_budgets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Each budget of docs/performance.md: holds (True/False) or None when there is nothing to check yet."""
    results = []
    measured = [e for e in run["endpoints"] if e.get("available")]
    for endpoint in run["endpoints"]:
        if endpoint["budget_p95_ms"] is None:
            continue
        label = f"{endpoint['label']}: p95 ≤ {endpoint['budget_p95_ms']:.0f} ms"
        if not endpoint.get("available"):
            results.append({"budget": label, "holds": None, "detail": endpoint.get("reason", "")})
            continue
        results.append(
            {
                "budget": label,
                "holds": endpoint["p95_ms"] <= endpoint["budget_p95_ms"],
                "detail": f"{endpoint['p95_ms']} ms",
            }
        )
    for endpoint in measured:
        if endpoint["key"] == "api_contact_log_create" and endpoint.get("queries"):
            most = endpoint["queries"]["max"]
            results.append(
                {
                    "budget": f"{endpoint['label']}: ≤ {API_CREATE_STATEMENTS} SQL statements",
                    "holds": most <= API_CREATE_STATEMENTS,
                    "detail": f"{endpoint['queries']['min']}–{most} statements",
                }
            )
    for endpoint in measured:
        if "ratio_bare_p50" in endpoint:
            bare = endpoint["bare"]
            ratios = [endpoint["ratio_bare_p50"], endpoint["ratio_bare_p95"]]
            results.append(
                {
                    "budget": f"{endpoint['label']}: within {BARE_RATIO_BUDGET:.0f}× its bare baseline (p50, p95)",
                    "holds": None not in ratios and max(ratios) <= BARE_RATIO_BUDGET and bare["same_body"],
                    "detail": f"{ratios[0]}× / {ratios[1]}× ({endpoint['p50_ms']} / {endpoint['p95_ms']} ms vs"
                    f" {bare['p50_ms']} / {bare['p95_ms']} ms)"
                    + ("" if bare["same_body"] else "; the bare body DIFFERS from the API's"),
                }
            )
    reads = [e for e in measured if e["key"] != "api_contact_log_create"]
    varying = [e["label"] for e in reads if e.get("queries") and e["queries"]["min"] != e["queries"]["max"]]
    results.append(
        {
            "budget": "Query counts constant (the same for every account, page and cursor)",
            "holds": not varying,
            "detail": f"varies: {', '.join(varying)}" if varying else "constant on every read endpoint",
        }
    )
    limits = {
        "sweep_backlog": BACKLOG_SWEEP_BUDGET_SECONDS,
        "sweep": SWEEP_BUDGET_SECONDS,
        "kpi_snapshot": SNAPSHOT_BUDGET_SECONDS,
    }
    for task in run["tasks"]:
        if task["key"] in limits and task.get("available"):
            scope = f" over {task['open_plans']} open plans" if "open_plans" in task else ""
            results.append(
                {
                    "budget": f"{task['label']}{scope} ≤ {limits[task['key']]:g} s",
                    "holds": task["seconds"] <= limits[task["key"]],
                    "detail": f"{task['seconds']} s"
                    + (f" ({task['plans_due']} plans due)" if "plans_due" in task else ""),
                }
            )
    return results


def write_results(run: dict[str, Any], directory: Path, started_at: datetime) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{started_at.astimezone(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(run, indent=2, default=str) + "\n")
    return path


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def render_table(run: dict[str, Any]) -> str:
    head = f"{'endpoint':<36} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>6} {'queries':>8} {'raw p50':>8}"
    head += f" {'×p50':>6} {'×p95':>6} {'bare p50':>8} {'×bare':>6}"
    load = run.get("load_average") or {}
    lines = [
        f"Scale {run['scale']}: {run['dataset']['accounts']} accounts, {run['dataset']['contact_logs']} contact logs, "
        f"{run['dataset']['action_plans']} plans; {run['requests_per_endpoint']} requests per endpoint, "
        f"{run['concurrency']} clients; times in ms; load average (1 min) {load.get('min', '—')}–{load.get('max', '—')}"
        f" on {run['machine']['cpus']} CPUs",
        head,
        "-" * len(head),
    ]
    for e in run["endpoints"]:
        if not e.get("available"):
            lines.append(f"{e['label']:<36} {e['reason']}")
            continue
        q = e["queries"]
        queries = "—" if q is None else (f"{q['min']}" if q["min"] == q["max"] else f"{q['min']}–{q['max']}")
        raw = e.get("raw") or {}
        bare = e.get("bare") or {}
        lines.append(
            f"{e['label']:<36} {_ms(e['p50_ms']):>7} {_ms(e['p95_ms']):>7} {_ms(e['p99_ms']):>7}"
            f" {e['requests_per_second']:>6} {queries:>8} {_ms(raw.get('p50_ms')):>8}"
            f" {e.get('ratio_p50') or '—':>6} {e.get('ratio_p95') or '—':>6}"
            f" {_ms(bare.get('p50_ms')):>8} {e.get('ratio_bare_p50') or '—':>6}"
            + (f"  ({e['errors']} failed)" if e.get("errors") else "")
            + (f"  ({bare['errors']} bare failed)" if bare.get("errors") else "")
        )
    lines.append("")
    for task in run["tasks"]:
        if not task.get("available"):
            lines.append(f"{task['label']:<36} {task['reason']}")
        elif task["key"].startswith("sweep"):
            lines.append(
                f"{task['label']:<36} {task['seconds']:.2f} s over {task['open_plans']} open plans "
                f"({task['plans_due']} due; {task['plan_escalations']} plan"
                f" + {task['issue_escalations']} issue escalations)"
            )
        else:
            lines.append(f"{task['label']:<36} {task['seconds']:.2f} s")
    lines.append("")
    lines.append("Budgets (docs/performance.md):")
    for budget in run["budgets"]:
        mark = {True: "holds ", False: "MISSED", None: "n/a   "}[budget["holds"]]
        lines.append(f"  {mark} {budget['budget']} — {budget['detail']}")
    return "\n".join(lines)


def _progress(text: str) -> None:
    import sys

    sys.stdout.write(f"    {text}\n")
    sys.stdout.flush()


__all__ = ["Sample", "percentiles"]
