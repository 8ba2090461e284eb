"""Writes of the dashboards app: the daily KPI snapshots, the KPI page's stored figures, the monthly rollups and
the nightly account health. All are idempotent."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Avg, Count, DateField, DateTimeField, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import Account, AccountHealthMonth, health_band
from accounts.selectors import month_starts, tier_rules
from actionplans.models import ActionPlan, PlanStatus, kept_promise
from actionplans.selectors import calendar_timezone
from dashboards import tasks
from dashboards.models import SNAPSHOT_FIELDS, AccountMonthRollup, KpiScope, KpiSnapshot, KpiWindow, KpiWindowFigures
from dashboards.selectors import (
    OPEN_ISSUE,
    day_bounds,
    kpi_tables,
    kpi_window_figures,
    open_escalations,
    window_bounds,
    window_figures_as_json,
)
from feedback.models import ContactLog, Issue, Severity
from kernel import caching
from surveys import kpis as survey_kpis
from surveys.models import SurveyResponse

logger = logging.getLogger(__name__)


class _SeesEverything:
    """The viewer of the with-confidential variant: the confidentiality rule lets executives see every account."""

    pk = None
    is_executive = True


def snapshot_kpis(*, day: date) -> int:
    """Write the five KPIs for the month to date as of the end of `day`, per scope, with and without confidential
    accounts. Running it again for the same day rewrites the same rows (one per day, scope and variant)."""
    start, end = day_bounds(day.replace(day=1), day)
    rows: list[KpiSnapshot] = []
    viewers: list[tuple[bool, Any]] = [(True, _SeesEverything()), (False, AnonymousUser())]
    for with_confidential, viewer in viewers:
        tables = kpi_tables(user=viewer, start=start, end=end, today=day)
        for scope in (KpiScope.ORGANISATION, KpiScope.DEPARTMENT, KpiScope.OWNER):
            by = None if scope == KpiScope.ORGANISATION else scope
            for key, kpi in tables[by].items():
                if key is None and by is not None:
                    continue  # data without a department or owner has no scope of its own (it is in the org's)
                values = {name: getattr(kpi, name) for name in SNAPSHOT_FIELDS}
                rows.append(
                    KpiSnapshot(day=day, scope=scope, scope_id=key or 0, with_confidential=with_confidential, **values)
                )
    KpiSnapshot.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["scope", "scope_id", "with_confidential", "day"],
        update_fields=[*SNAPSHOT_FIELDS, "computed_at"],
    )
    return len(rows)


def backfill_kpi_snapshots(*, today: date, months: int = 12) -> int:
    """Snapshots for each past month's last day and for today: a trend from the first run, not a year later."""
    days = [first - timedelta(days=1) for first in month_starts(today, months)[1:]] + [today]
    return sum(snapshot_kpis(day=day) for day in days)


# --- Account health --------------------------------------------------------------------------------------------

SURVEY_DETRACTOR = 6  # a "how likely to recommend" of 0–6 (NPS's detractors)
WEIGHTS = {"contact": 30, "ratings": 25, "escalations": 15, "promises": 15, "critical": 15}
LOOKBACK = timedelta(days=180)
HALF = timedelta(days=90)


@dataclass(frozen=True)
class Signal:
    key: str
    label: str
    points: float
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "points": round(self.points, 1),
            "max": WEIGHTS[self.key],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Health:
    score: int
    signals: list[Signal]
    at_risk: bool


@dataclass
class _Facts:
    """What the nightly run knows about one account, gathered by a handful of grouped queries."""

    tier: int
    last_contact_at: datetime | None
    rating_average: float | None = None
    rating_recent: float | None = None
    rating_previous: float | None = None
    contacts_recent: int = 0
    contacts_previous: int = 0
    open_escalations: int = 0
    broken_promises: int = 0
    open_critical: int = 0
    survey_recommend: int | None = None  # the latest submitted survey response's answers
    survey_choose_again: bool | None = None

    @property
    def survey_detractor(self) -> bool:
        """The latest survey answer says they would not recommend us (0–6) or would not choose us again."""
        return (self.survey_recommend is not None and self.survey_recommend <= SURVEY_DETRACTOR) or (
            self.survey_choose_again is False
        )


def _ladder(count: int, weight: int) -> float:
    return float(weight) if count == 0 else weight * 7 / 15 if count == 1 else 0.0


def assess(facts: _Facts, *, cadence_days: int, now: datetime) -> Health:
    """The weighted signals (docs/kpis.md, "Account health") and the satisfied-but-at-risk flag."""
    signals = []
    if facts.last_contact_at is None:
        days = None
        signals.append(Signal("contact", "Contact within cadence", 0, "never contacted"))
    else:
        days = (now - facts.last_contact_at).days
        share = 1.0 if days <= cadence_days else max(0.0, (2 * cadence_days - days) / cadence_days)
        signals.append(
            Signal(
                "contact",
                "Contact within cadence",
                WEIGHTS["contact"] * share,
                f"last contact {days} days ago; cadence {cadence_days} days",
            )
        )
    if facts.rating_average is None:
        signals.append(Signal("ratings", "Rating and its trend", 15, "no rating in the last 6 months"))
    else:
        level = (facts.rating_average - 1) / 4 * 20
        falling = (
            facts.rating_recent is not None
            and facts.rating_previous is not None
            and facts.rating_recent < facts.rating_previous
        )
        drop = (facts.rating_previous or 0) - (facts.rating_recent or 0) if falling else 0.0
        trend = 5.0 if not falling else 2.5 if drop < 0.5 else 0.0
        detail = f"average {facts.rating_average:.1f} over 6 months" + (
            f", falling ({facts.rating_previous:.1f} → {facts.rating_recent:.1f})" if falling else ""
        )
        signals.append(Signal("ratings", "Rating and its trend", level + trend, detail))
    signals.append(
        Signal(
            "escalations",
            "Open escalations",
            _ladder(facts.open_escalations, WEIGHTS["escalations"]),
            f"{facts.open_escalations} open",
        )
    )
    signals.append(
        Signal(
            "promises",
            "Promises kept",
            _ladder(facts.broken_promises, WEIGHTS["promises"]),
            f"{facts.broken_promises} broken in the last 6 months",
        )
    )
    signals.append(
        Signal(
            "critical",
            "Unresolved critical issues",
            WEIGHTS["critical"] if facts.open_critical == 0 else 0.0,
            f"{facts.open_critical} open",
        )
    )
    overdue = days is None or days > cadence_days
    contact_falling = facts.contacts_previous >= 2 and facts.contacts_recent * 2 <= facts.contacts_previous
    satisfied = facts.rating_average is not None and facts.rating_average >= 4
    # Satisfied customers still defect: a latest survey answer that would not recommend us or would not choose
    # us again puts a satisfied account at risk, as neglect does.
    at_risk = satisfied and (overdue or contact_falling or facts.broken_promises > 0 or facts.survey_detractor)
    return Health(round(sum(s.points for s in signals)), signals, at_risk)


def _facts(now: datetime, today: date, account_ids: Collection[int] | None = None) -> dict[int, _Facts]:
    """What is known of every account (or of `account_ids` only), as of `now`."""
    only: dict[str, Any] = {} if account_ids is None else {"account_id__in": account_ids}
    accounts = Account.objects.all() if account_ids is None else Account.objects.filter(pk__in=account_ids)
    facts = {pk: _Facts(tier=tier, last_contact_at=None) for pk, tier in accounts.values_list("pk", "tier")}
    # The last conversation as of `now` (not the cached column): the same run can rebuild a past month's health.
    for account_id, last in (
        ContactLog.objects.filter(deleted_at__isnull=True, occurred_at__lte=now, **only)
        .order_by()
        .values_list("account_id")
        .annotate(last=Max("occurred_at"))
    ):
        if account_id in facts:
            facts[account_id].last_contact_at = last
    recent, since = now - HALF, now - LOOKBACK
    for row in (
        ContactLog.objects.filter(deleted_at__isnull=True, occurred_at__gte=since, occurred_at__lte=now, **only)
        .order_by()
        .values("account_id")
        .annotate(
            average=Avg("rating"),
            recent=Avg("rating", filter=Q(occurred_at__gte=recent)),
            previous=Avg("rating", filter=Q(occurred_at__lt=recent)),
            contacts_recent=Count("pk", filter=Q(occurred_at__gte=recent)),
            contacts_previous=Count("pk", filter=Q(occurred_at__lt=recent)),
        )
    ):
        f = facts.get(row["account_id"])
        if f is None:
            continue
        f.rating_average = float(row["average"]) if row["average"] is not None else None
        f.rating_recent = float(row["recent"]) if row["recent"] is not None else None
        f.rating_previous = float(row["previous"]) if row["previous"] is not None else None
        f.contacts_recent, f.contacts_previous = row["contacts_recent"], row["contacts_previous"]
    for plan_account, issue_account in open_escalations().values_list("plan__account_id", "issue__account_id"):
        f = facts.get(plan_account or issue_account)
        if f is not None:
            f.open_escalations += 1
    for account_id, promise_on, resolved_at, zone in (
        ActionPlan.objects.filter(promise_on__gte=today - LOOKBACK, promise_on__lt=today, **only)
        .exclude(status=PlanStatus.CANCELLED)
        .annotate(zone=calendar_timezone())
        .values_list("account_id", "promise_on", "resolved_at", "zone")
    ):
        kept = kept_promise(promise_on=promise_on, resolved_at=resolved_at, zone=ZoneInfo(zone))
        if not kept and account_id in facts:
            facts[account_id].broken_promises += 1
    for account_id, n in (
        Issue.objects.filter(OPEN_ISSUE, severity=Severity.CRITICAL, **only)
        .order_by()
        .values_list("account_id")
        .annotate(n=Count("pk"))
    ):
        if account_id in facts:
            facts[account_id].open_critical = n
    # The latest submitted survey response of each account, as of `now` (ordered, so the last one read wins).
    for account_id, recommend, choose_again in (
        SurveyResponse.objects.filter(submitted_at__isnull=False, submitted_at__lte=now, **only)
        .order_by("account_id", "submitted_at", "id")
        .values_list("account_id", "recommend", "choose_again")
    ):
        f = facts.get(account_id)
        if f is not None:
            f.survey_recommend, f.survey_choose_again = recommend, choose_again
    return facts


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def recompute_health(
    *, now: datetime | None = None, batch_size: int = 1000, account_ids: Collection[int] | None = None
) -> int:
    """Every account's health, signals and at-risk flag, and this month's point of its trend. Nightly (beat);
    with `account_ids`, those accounts only (the same queries, narrowed), e.g. just after a call is logged."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cadence = tier_rules().cadence_days
    month = today.replace(day=1)
    accounts, months = [], []
    for pk, f in _facts(now, today, account_ids).items():
        health = assess(f, cadence_days=cadence[f.tier], now=now)
        accounts.append(
            Account(
                pk=pk,
                health=health.score,
                health_signals=[s.as_json() for s in health.signals],
                health_at_risk=health.at_risk,
                health_updated_at=now,
            )
        )
        months.append(AccountHealthMonth(account_id=pk, month=month, health=health.score))
    for chunk in _batches(accounts, batch_size):
        with transaction.atomic():
            Account.objects.bulk_update(chunk, ["health", "health_signals", "health_at_risk", "health_updated_at"])
    AccountHealthMonth.objects.bulk_create(
        months,
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=["account", "month"],
        update_fields=["health"],
    )
    bands: dict[str | None, int] = defaultdict(int)
    for account in accounts:
        bands[health_band(account.health)] += 1
    if account_ids is None:
        logger.info("Account health recomputed for %d accounts: %s", len(accounts), dict(bands))
    return len(accounts)


def recompute_account_health(*, account_id: int, now: datetime) -> int:
    """One account's health, as the nightly run would compute it now: after its conversations changed (logged,
    edited, moved or deleted), so its page shows fresh numbers in seconds rather than the next morning."""
    return recompute_health(now=now, account_ids=[account_id])


def backfill_health(*, now: datetime, months: int = 12) -> None:
    """Health as of each past month's last day, then now: a trend from the first day (demo data, new installs).
    Contact, ratings and promises are rebuilt as they were; escalations and critical issues are as they are now."""
    today = timezone.localdate(now)
    for first in month_starts(today, months)[1:]:
        end_of_month, _ = day_bounds(first, first)
        recompute_health(now=end_of_month - timedelta(seconds=1))
    recompute_health(now=now)


# --- The KPI page's stored figures ---------------------------------------------------------------------------

KPI_REFRESH_PENDING = "dashboards:kpi-refresh-pending"


def refresh_kpi_windows(*, now: datetime | None = None) -> int:
    """Compute the KPI page's figures for each period ending today (this month, the last 30 and 90 days) in
    both variants, with and without confidential accounts, and store them (one row per period and variant,
    rewritten in place). Idempotent: it writes what the data says now. Returns the rows written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = []
    viewers: list[tuple[bool, Any]] = [(True, _SeesEverything()), (False, AnonymousUser())]
    for window in KpiWindow:
        days = None if window == KpiWindow.MONTH else int(window)
        for with_confidential, viewer in viewers:
            figures = kpi_window_figures(user=viewer, today=today, days=days)
            _, start, end, _, _ = window_bounds(today=today, days=days)
            surveys = survey_kpis.survey_kpis(user=viewer, start=start, end=end, today=today)
            rows.append(
                KpiWindowFigures(
                    window=window,
                    with_confidential=with_confidential,
                    day=today,
                    computed_at=now,
                    surveys=surveys.as_json(),
                    **window_figures_as_json(figures),
                )
            )
    KpiWindowFigures.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["window", "with_confidential"],
        update_fields=["day", "current", "previous", "by_channel", "surveys", "computed_at"],
    )
    return len(rows)


def request_kpi_refresh() -> None:
    """After the commit of a write that may change a KPI, queue one refresh of the stored figures in
    KPI_REFRESH_SECONDS, unless one is already queued: however many writes come, at most one refresh per period
    (the marker, in the cache, expires with it; the task clears it as it starts). A rolled-back write queues
    nothing."""
    if settings.KPI_REFRESH_AFTER_WRITES:
        transaction.on_commit(_queue_kpi_refresh)


def _queue_kpi_refresh() -> None:
    seconds = settings.KPI_REFRESH_SECONDS
    # With the cache unreachable there is no marker to debounce by: queue the refresh anyway. A broker that is down
    # must not turn the saved write into a 500: the marker goes, so the next write after it is back queues one.
    queued = caching.add(KPI_REFRESH_PENDING, True, seconds, unavailable=True)
    if queued and not tasks.refresh_kpi_windows_task.send_or_log((), {}, countdown=seconds):
        caching.delete(KPI_REFRESH_PENDING)


def start_kpi_refresh() -> int:
    """The queued refresh: clear the marker first, so a write during the computation queues the next one."""
    caching.delete(KPI_REFRESH_PENDING)
    return refresh_kpi_windows()


# --- Monthly rollups ---------------------------------------------------------------------------------------------

ROLLUP_FIELDS = ["contacts", "ratings", "rating_sum", "ratings_4_5"]


def _month_counts(logs: QuerySet[ContactLog]) -> QuerySet[ContactLog, dict[str, Any]]:
    """Per account and calendar month (in the site's time zone, as TruncMonth reads it everywhere else): the
    conversations, the ratings, their sum and the 4–5 ratings. Columns in AccountMonthRollup's order."""
    return (
        logs.filter(deleted_at__isnull=True)
        .annotate(
            rollup_month=TruncMonth("occurred_at", output_field=DateField()),
            rollup_owner=F("account__owner_id"),
            rollup_confidential=F("account__is_confidential"),
        )
        .order_by()
        .values("account_id", "rollup_month", "rollup_owner", "rollup_confidential")
        .annotate(
            contacts=Count("pk"),
            ratings=Count("rating"),
            rating_sum=Coalesce(Sum("rating"), 0),
            ratings_4_5=Count("pk", filter=Q(rating__gte=4)),
        )
    )


def recount_account_months(*, account_ids: Collection[int]) -> int:
    """Recount every month of these accounts from their contact logs: the incremental step after a
    conversation is logged, edited, moved or deleted. Idempotent (it writes what the logs say, not a
    difference), and serialised per account by locking the account rows, so two recounts racing for one
    account cannot leave the older count last. Returns the number of account-months written."""
    ids = sorted(set(account_ids))
    if not ids:
        return 0
    with transaction.atomic():
        list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        rows = [
            AccountMonthRollup(
                account_id=row["account_id"],
                month=row["rollup_month"],
                owner_id=row["rollup_owner"],
                is_confidential=row["rollup_confidential"],
                **{f: row[f] for f in ROLLUP_FIELDS},
            )
            for row in _month_counts(ContactLog.objects.filter(account_id__in=ids))
        ]
        # A month whose last conversation went away (deleted, moved) keeps no row: a missing month is empty.
        fresh = {(row.account_id, row.month) for row in rows}
        stale = [
            pk
            for pk, account_id, month in AccountMonthRollup.objects.filter(account_id__in=ids).values_list(
                "pk", "account_id", "month"
            )
            if (account_id, month) not in fresh
        ]
        if stale:
            AccountMonthRollup.objects.filter(pk__in=stale).delete()
        AccountMonthRollup.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["account", "month"],
            update_fields=["owner", "is_confidential", *ROLLUP_FIELDS, "computed_at"],
        )
    return len(rows)


def rebuild_rollups(*, batch_size: int = 5000, progress: Callable[[int, int], None] | None = None) -> int:
    """Every account's months from scratch, set-based: one INSERT … SELECT (grouped in the database) per batch
    of accounts, after deleting the batch's old rows, each batch in its own transaction. `progress(done, total)`
    is called after each batch. Safe to run while the site is up: a batch's accounts are locked while it runs."""
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    table = connection.ops.quote_name(AccountMonthRollup._meta.db_table)
    names = ["account_id", "month", "owner_id", "is_confidential", *ROLLUP_FIELDS, "computed_at"]
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    written = 0
    for done, chunk in enumerate(_batches(ids, batch_size), start=1):
        with transaction.atomic():
            list(Account.objects.select_for_update().filter(pk__in=chunk).values_list("pk", flat=True))
            AccountMonthRollup.objects.filter(account_id__in=chunk).delete()
            select = _month_counts(ContactLog.objects.filter(account_id__in=chunk)).annotate(
                computed_at=Value(timezone.now(), output_field=DateTimeField())
            )
            sql, params = select.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
                written += max(cursor.rowcount, 0)
        if progress is not None:
            progress(min(done * batch_size, len(ids)), len(ids))
    return written


def recount_moved_accounts(*, batch_size: int = 1000) -> int:
    """Recount the accounts whose rollups name another owner or confidentiality than the account now has: the
    nightly net under changes that bypass the model's save (set-based updates). Returns the accounts recounted."""
    moved = list(
        AccountMonthRollup.objects.exclude(owner_id=F("account__owner_id"))
        .union(AccountMonthRollup.objects.exclude(is_confidential=F("account__is_confidential")))
        .values_list("account_id", flat=True)
    )
    ids = sorted(set(moved))
    for chunk in _batches(ids, batch_size):
        recount_account_months(account_ids=chunk)
    return len(ids)
