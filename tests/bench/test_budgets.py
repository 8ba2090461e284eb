"""`make bench` judges a run by the budgets of issue #15 (docs/performance.md): checked here on results built in
memory, so a harness change cannot quietly stop reporting a missed budget."""

from typing import Any

from bench import measure


def _run(*, create_statements: int, bare_p95: float, backlog_seconds: float, same_body: bool = True) -> dict[str, Any]:
    api_list = {
        "key": "api_accounts_first",
        "label": "API account list, first page",
        "budget_p95_ms": None,
        "available": True,
        "p50_ms": 10.0,
        "p95_ms": 20.0,
        "queries": {"min": 3, "median": 3, "max": 3},
        "bare": {"p50_ms": 4.0, "p95_ms": bare_p95, "same_body": same_body},
        "ratio_bare_p50": 2.5,
        "ratio_bare_p95": round(20.0 / bare_p95, 1),
    }
    create = {
        "key": "api_contact_log_create",
        "label": "API contact-log create (2 issues)",
        "budget_p95_ms": 60.0,
        "available": True,
        "p50_ms": 30.0,
        "p95_ms": 45.0,
        "queries": {"min": create_statements - 1, "median": create_statements, "max": create_statements},
    }
    tasks = [
        {
            "key": "sweep_backlog",
            "label": "Escalation sweep, backlog",
            "available": True,
            "seconds": backlog_seconds,
            "open_plans": 100,
            "plans_due": 40,
        },
        {
            "key": "sweep",
            "label": "Escalation sweep, steady",
            "available": True,
            "seconds": 0.02,
            "open_plans": 100,
            "plans_due": 0,
        },
        {"key": "kpi_snapshot", "label": "KPI snapshot task", "available": True, "seconds": 0.5},
    ]
    return {"endpoints": [api_list, create], "tasks": tasks}


def _verdicts(run: dict[str, Any]) -> dict[str, bool | None]:
    return {budget["budget"]: budget["holds"] for budget in measure.check_budgets(run)}


def test_a_run_within_every_budget_holds_them_all() -> None:
    verdicts = _verdicts(_run(create_statements=15, bare_p95=8.0, backlog_seconds=12.0))
    assert all(verdicts.values()), verdicts
    assert "API contact-log create (2 issues): ≤ 15 SQL statements" in verdicts
    assert "Escalation sweep, backlog over 100 open plans ≤ 60 s" in verdicts
    assert not any("API account list, first page: p95" in budget for budget in verdicts)  # judged by its bare ratio


def test_each_budget_missed_is_reported_missed() -> None:
    verdicts = _verdicts(_run(create_statements=16, bare_p95=5.0, backlog_seconds=61.0))
    assert verdicts["API contact-log create (2 issues): ≤ 15 SQL statements"] is False
    assert verdicts["API account list, first page: within 3× its bare baseline (p50, p95)"] is False  # 4× at p95
    assert verdicts["Escalation sweep, backlog over 100 open plans ≤ 60 s"] is False
    assert verdicts["Escalation sweep, steady over 100 open plans ≤ 0.1 s"] is True
    # A create's statements vary with its audit row; only reads must keep a constant count.
    assert verdicts["Query counts constant (the same for every account, page and cursor)"] is True


def test_a_bare_body_that_differs_from_the_api_misses_the_ratio_budget() -> None:
    verdicts = _verdicts(_run(create_statements=15, bare_p95=8.0, backlog_seconds=1.0, same_body=False))
    assert verdicts["API account list, first page: within 3× its bare baseline (p50, p95)"] is False
