"""Every read of the executive views: KPIs, the priority-account dashboard and scorecards, scoped to the viewer.

Definitions of the five KPIs: docs/kpis.md. Each read runs a fixed number of queries whatever the data's size:
grouped aggregates and value lists, never a query per account, department or person.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, AccountHealthMonth, AccountStatus, Tier, visible_through_account
from accounts.policies import sees_everything
from accounts.selectors import cadence_days, call_next_for_user, contact_status, month_starts, tier_rules
from actionplans.models import ACTIVE_STATUSES, ActionPlan, Escalation, PlanStatus, PlanStep, kept_promise
from actionplans.selectors import calendar_timezone
from dashboards.models import AccountMonthRollup, KpiScope, KpiSnapshot, KpiWindow, KpiWindowFigures
from feedback.models import Channel, ContactLog, Issue, IssueHandoff, IssueStatus, Severity
from feedback.selectors import inbox_for_department
from organization.models import Department, Role, User
from surveys.kpis import SurveyKpis, survey_kpis

Key = int | None  # a department or owner id; None for the organisation (or data without one)


@dataclass(frozen=True)
class Kpis:
    contact_coverage: float | None  # share 0–1
    response_median_hours: float | None
    response_p90_hours: float | None
    unacknowledged: int
    resolution_median_days: float | None
    promises_kept: float | None  # share 0–1
    promises_due: int
    rating_average: float | None
    rating_share_4_5: float | None
    accounts_due: int = 0  # coverage's denominator
    ratings: int = 0


EMPTY_KPIS = Kpis(None, None, None, 0, None, None, 0, None, None)

# How each breakdown reaches its department and owner, per KPI (docs/kpis.md, "Breakdowns"): (department, owner).
PATHS = {
    "coverage": ("owner__department_id", "owner_id"),
    "issue": ("department_id", "account__owner_id"),
    "plan": ("department_id", "owner_id"),
    "log": ("account__owner__department_id", "account__owner_id"),
}
OPEN_ISSUE = ~Q(status__in=[IssueStatus.RESOLVED, IssueStatus.CLOSED])
Scope = str | None  # None (the organisation), KpiScope.DEPARTMENT or KpiScope.OWNER
Tables = dict[Scope, dict[Key, Kpis]]


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery: one column per account, no GROUP BY over the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[local midnight of `first`, local midnight after `last`): the window of whole days first..last."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _scopes(department: int | None, owner: int | None) -> tuple[tuple[Scope, Key], ...]:
    """Where one row counts: the organisation, its department and its owner (data without either: the org only)."""
    scopes: tuple[tuple[Scope, Key], ...] = ((None, None),)
    if department is not None:
        scopes += ((KpiScope.DEPARTMENT, department),)
    if owner is not None:
        scopes += ((KpiScope.OWNER, owner),)
    return scopes


def kpi_tables(*, user: Any, start: datetime, end: datetime, today: date | None = None) -> Tables:
    """The five KPIs over [start, end) for the organisation, each department and each owner at once: five queries,
    each row read once and counted where it belongs (medians need the values themselves, so they are kept)."""
    cadence = tier_rules().cadence_days
    last_contact = (
        ContactLog.objects.filter(deleted_at__isnull=True, account=OuterRef("pk"), occurred_at__lt=end)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    within = Q()
    for tier in (Tier.STRATEGIC, Tier.KEY):
        within |= Q(tier=tier, last_before_end__gte=end - timedelta(days=cadence[tier]))
    coverage: dict[tuple[Scope, Key], list[int]] = defaultdict(lambda: [0, 0])  # total, covered
    for department, owner, total, covered in (
        Account.objects.visible_to(user)
        .filter(tier__in=[Tier.STRATEGIC, Tier.KEY])
        .exclude(status__in=[AccountStatus.LOST, AccountStatus.PROSPECT])
        .annotate(last_before_end=Subquery(last_contact))
        .order_by()
        .values_list(*PATHS["coverage"])
        .annotate(total=Count("pk"), covered=Count("pk", filter=within))
    ):
        for scope in _scopes(department, owner):
            coverage[scope][0] += total
            coverage[scope][1] += covered

    issues = Issue.objects.visible_to(user)
    response: dict[tuple[Scope, Key], list[float]] = defaultdict(list)
    unacknowledged: dict[tuple[Scope, Key], int] = defaultdict(int)
    resolution: dict[tuple[Scope, Key], list[float]] = defaultdict(list)
    # Raised or resolved in the window: one read of the issues for both response and resolution.
    for department, owner, raised, ack, done in issues.filter(
        Q(raised_at__gte=start, raised_at__lt=end) | Q(resolved_at__gte=start, resolved_at__lt=end)
    ).values_list(*PATHS["issue"], "raised_at", "acknowledged_at", "resolved_at"):
        raised_in_window = start <= raised < end
        resolved_in_window = done is not None and start <= done < end
        for scope in _scopes(department, owner):
            if raised_in_window and ack is None:
                unacknowledged[scope] += 1
            elif raised_in_window:
                response[scope].append((ack - raised).total_seconds() / 3600)
            if resolved_in_window:
                resolution[scope].append((done - raised).total_seconds() / 86400)

    last_day = today or (end - timedelta(microseconds=1)).date()
    promised: dict[tuple[Scope, Key], list[bool]] = defaultdict(list)
    for department, owner, promise_on, resolved_at, zone in (
        ActionPlan.objects.visible_to(user)
        .filter(
            promise_on__gte=timezone.localdate(start),
            promise_on__lt=timezone.localdate(end),
            promise_on__lte=last_day,
        )
        .exclude(status=PlanStatus.CANCELLED)
        .annotate(zone=calendar_timezone())
        .values_list(*PATHS["plan"], "promise_on", "resolved_at", "zone")
    ):
        if promise_on is None:
            continue
        was_kept = kept_promise(promise_on=promise_on, resolved_at=resolved_at, zone=ZoneInfo(zone))
        for scope in _scopes(department, owner):
            promised[scope].append(was_kept)

    ratings: dict[tuple[Scope, Key], list[int]] = defaultdict(lambda: [0, 0, 0])  # sum, total, 4–5
    for department, owner, rating_sum, total, good in rating_sums(user=user, start=start, end=end):
        for scope in _scopes(department, owner):
            ratings[scope][0] += rating_sum or 0
            ratings[scope][1] += total or 0
            ratings[scope][2] += good or 0
    ratings = defaultdict(lambda: [0, 0, 0], {scope: sums for scope, sums in ratings.items() if sums[1]})

    keys = {(None, None)} | set(coverage) | set(response) | set(unacknowledged) | set(resolution)
    keys |= set(promised) | set(ratings)
    tables: Tables = {None: {}, KpiScope.DEPARTMENT: {}, KpiScope.OWNER: {}}
    for scope in keys:
        total, covered = coverage.get(scope, [0, 0])
        rating_sum, rated, good = ratings.get(scope, [0, 0, 0])
        kept = promised.get(scope, [])
        tables[scope[0]][scope[1]] = Kpis(
            contact_coverage=covered / total if total else None,
            accounts_due=total,
            response_median_hours=median(response[scope]) if response.get(scope) else None,
            response_p90_hours=_p90(response.get(scope, [])),
            unacknowledged=unacknowledged.get(scope, 0),
            resolution_median_days=median(resolution[scope]) if resolution.get(scope) else None,
            promises_kept=sum(kept) / len(kept) if kept else None,
            promises_due=len(kept),
            rating_average=rating_sum / rated if rated else None,
            rating_share_4_5=good / rated if rated else None,
            ratings=rated,
        )
    return tables


# --- Ratings from the monthly rollups ---------------------------------------------------------------------------


def _month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next) of the calendar month holding `moment`, in the site's zone."""
    first = timezone.localtime(moment).date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return day_bounds(first, first)[0], day_bounds(following, following)[0]


@dataclass(frozen=True)
class RatingPlan:
    """How to read the ratings of [start, end): whole months from the rollups, plus (or minus) the logs of the
    window's edges. A month the window covers only in part is read from its logs when that part is the smaller
    (by time up to now, since nothing is logged later), else from its rollup less the logs outside the window."""

    months: list[date]
    add: list[tuple[datetime, datetime]]
    subtract: list[tuple[datetime, datetime]]


def rating_plan(*, start: datetime, end: datetime, now: datetime) -> RatingPlan:
    months: list[date] = []
    add: list[tuple[datetime, datetime]] = []
    subtract: list[tuple[datetime, datetime]] = []

    def cost(low: datetime, high: datetime) -> timedelta:
        return max(timedelta(0), min(high, now) - low)

    month_start, month_end = _month_bounds(start)
    while month_start < end:
        low, high = max(start, month_start), min(end, month_end)
        outside = [(month_start, low), (high, month_end)]
        if (low, high) == (month_start, month_end):
            months.append(timezone.localtime(month_start).date())
        elif cost(low, high) <= sum((cost(a, b) for a, b in outside), timedelta(0)):
            add.append((low, high))
        else:
            months.append(timezone.localtime(month_start).date())
            subtract.extend((a, b) for a, b in outside if a < b)
        month_start, month_end = _month_bounds(month_end)
    return RatingPlan(months, add, subtract)


def _between(spans: list[tuple[datetime, datetime]]) -> Q:
    rule = Q(pk__in=[])
    for low, high in spans:
        rule |= Q(occurred_at__gte=low, occurred_at__lt=high)
    return rule


def rating_sums(*, user: Any, start: datetime, end: datetime) -> list[tuple[Key, Key, int, int, int]]:
    """(department, owner, sum, ratings, 4–5 ratings) of the conversations in [start, end) the viewer may see,
    rows to add up per department and owner (a pair may come twice, or with a negative edge): one query over
    the month rollups and the logs of the window's edges, whatever the length of the history."""
    plan = rating_plan(start=start, end=end, now=timezone.now())
    parts: list[QuerySet[Any, Any]] = []
    if plan.months:
        rollups = AccountMonthRollup.objects.filter(month__in=plan.months, ratings__gt=0)
        if not sees_everything(user):
            # Open accounts from the rollups alone; confidential ones only those the one rule lets them see.
            confidential = Account.objects.visible_to(user).filter(is_confidential=True).values("pk")
            rollups = rollups.filter(Q(is_confidential=False) | Q(account__in=confidential))
        parts.append(
            rollups.order_by()
            .values_list("owner__department_id", "owner_id")
            .annotate(rating_sum=Sum("rating_sum"), total=Sum("ratings"), good=Sum("ratings_4_5"))
        )
    if plan.add or plan.subtract:
        added = _between(plan.add)
        sign = Case(When(added, then=Value(1)), default=Value(-1), output_field=IntegerField())
        parts.append(
            ContactLog.objects.visible_to(user)
            .filter(added | _between(plan.subtract), rating__isnull=False)
            .order_by()
            .values_list(*PATHS["log"])
            .annotate(
                rating_sum=Sum(sign * F("rating")),
                total=Sum(sign),
                good=Sum(Case(When(rating__gte=4, then=sign), default=Value(0), output_field=IntegerField())),
            )
        )
    if not parts:
        return []
    rows = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    return list(rows)


def kpi_table(
    *, user: Any, start: datetime, end: datetime, by: str | None = None, today: date | None = None
) -> dict[Key, Kpis]:
    """One scope of kpi_tables: the organisation (key None), or per department or owner id."""
    return kpi_tables(user=user, start=start, end=end, today=today)[by]


def kpis(*, user: Any, start: datetime, end: datetime, today: date | None = None) -> Kpis:
    """The organisation's five KPIs over [start, end), over what the viewer may see."""
    return kpi_table(user=user, start=start, end=end, today=today)[None]


# --- Trends: read from the daily snapshots -------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    month: date
    snapshot: KpiSnapshot | None


def kpi_trend(*, user: Any, scope: str, scope_id: int, today: date, months: int = 12) -> list[TrendPoint]:
    """One point per month: the month's last snapshot (the whole month, or the month to date). One query."""
    firsts = month_starts(today, months)
    latest: dict[date, KpiSnapshot] = {}
    for snap in KpiSnapshot.objects.filter(
        scope=scope, scope_id=scope_id, with_confidential=sees_everything(user), day__gte=firsts[0], day__lte=today
    ).order_by("day"):
        latest[snap.day.replace(day=1)] = snap
    return [TrendPoint(first, latest.get(first)) for first in firsts]


# --- The priority-account dashboard --------------------------------------------------------------------------


def open_escalations() -> QuerySet[Escalation]:
    """Escalations nobody has acknowledged, whose plan or issue is still open."""
    return Escalation.objects.filter(acknowledged_at__isnull=True).filter(
        Q(plan__status__in=ACTIVE_STATUSES) | (Q(issue__isnull=False) & ~Q(issue__status__in=_DONE_ISSUE))
    )


_DONE_ISSUE = [IssueStatus.RESOLVED, IssueStatus.CLOSED]
SEVERITIES = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW]


def with_priority_columns(accounts: QuerySet[Account], *, today: date) -> QuerySet[Account]:
    """Annotate each row with what the dashboard shows: open issues by severity, overdue plans, open escalations."""
    open_issues = Issue.objects.filter(OPEN_ISSUE, account=OuterRef("pk")).values("pk")
    columns: dict[str, Any] = {
        f"open_{severity}": SubqueryCount(open_issues.filter(severity=severity)) for severity in SEVERITIES
    }
    columns["overdue_plans"] = SubqueryCount(
        ActionPlan.objects.filter(account=OuterRef("pk"), status__in=ACTIVE_STATUSES, due_on__lt=today).values("pk")
    )
    # Through a plan or through an issue: two counts, each served by an index (one OR across both joins is not).
    escalated_plans = SubqueryCount(open_escalations().filter(plan__account=OuterRef("pk")).values("pk"))
    escalated_issues = SubqueryCount(open_escalations().filter(issue__account=OuterRef("pk")).values("pk"))
    columns["open_escalations"] = ExpressionWrapper(escalated_plans + escalated_issues, output_field=IntegerField())
    return accounts.select_related("owner", "segment").annotate(**columns)


@dataclass(frozen=True)
class PriorityTotals:
    accounts: int
    overdue_for_contact: int
    open_issues: dict[str, int]
    overdue_plans: int
    open_escalations: int

    @property
    def open_issue_total(self) -> int:
        return sum(self.open_issues.values())


def priority_totals(accounts: QuerySet[Account], *, today: date) -> PriorityTotals:
    """Totals over every account the filters select (not only the page shown): four queries. Unfiltered (an
    executive's first view: every account), the counts skip the semi-join to 50,000 accounts, which changes
    nothing (every issue and plan has an account) and leaves each an index-only count of a partial index."""
    every_account = not accounts.query.where  # no visibility rule, no filter: the selection is every account

    def of_selected(rows: QuerySet[Any], path: str) -> QuerySet[Any]:
        return rows if every_account else rows.filter(**{f"{path}__in": accounts.order_by().values("pk")})

    counts = accounts.order_by().aggregate(
        accounts=Count("pk"),
        overdue=Count("pk", filter=Q(next_contact_due__lt=today) | Q(last_contact_at__isnull=True)),
    )
    by_severity = of_selected(Issue.objects.filter(OPEN_ISSUE), "account").aggregate(
        **{severity: Count("pk", filter=Q(severity=severity)) for severity in SEVERITIES}
    )
    overdue_plans = of_selected(
        ActionPlan.objects.filter(status__in=ACTIVE_STATUSES, due_on__lt=today), "account"
    ).count()
    # An escalation names a plan or an issue, never both (a check constraint): the two sides counted apart, each
    # by its own join, in one statement (UNION ALL), add up to open_escalations()'s OR across both joins.
    unacknowledged = Escalation.objects.filter(acknowledged_at__isnull=True).order_by()
    through_plans = of_selected(unacknowledged.filter(plan__status__in=ACTIVE_STATUSES), "plan__account")
    through_issues = of_selected(
        unacknowledged.filter(issue__isnull=False).exclude(issue__status__in=_DONE_ISSUE), "issue__account"
    )
    escalations = through_plans.values("pk").union(through_issues.values("pk"), all=True).count()
    return PriorityTotals(
        accounts=counts["accounts"],
        overdue_for_contact=counts["overdue"],
        open_issues={severity: by_severity[severity] for severity in SEVERITIES},
        overdue_plans=overdue_plans,
        open_escalations=escalations,
    )


def monthly_ratings(*, user: Any, account_ids: Iterable[int], today: date) -> dict[int, list[float | None]]:
    """Each account's average "how are we doing" rating per month over the last 12 months (None: no rating),
    read from the monthly rollups: one query over at most twelve rows per account."""
    firsts = month_starts(today)
    by_account: dict[int, dict[date, float]] = defaultdict(dict)
    for account_id, month, rating_sum, ratings in (
        visible_through_account(AccountMonthRollup.objects.all(), user)
        .filter(account_id__in=list(account_ids), month__gte=firsts[0], month__lte=firsts[-1], ratings__gt=0)
        .order_by()
        .values_list("account_id", "month", "rating_sum", "ratings")
    ):
        by_account[account_id][month] = round(rating_sum / ratings, 2)
    return {pk: [months.get(first) for first in firsts] for pk, months in by_account.items()}


@dataclass(frozen=True)
class PriorityRow:
    account: Account
    cadence_days: int
    days_since_contact: int | None
    contact_status: str
    ratings: list[float | None]


def priority_rows(accounts: list[Account], *, user: Any, today: date) -> list[PriorityRow]:
    """The dashboard's rows for accounts annotated by with_priority_columns: one query for the sparklines."""
    cadence = cadence_days()
    ratings = monthly_ratings(user=user, account_ids=[a.pk for a in accounts], today=today)
    empty: list[float | None] = [None] * 12
    return [
        PriorityRow(
            account=account,
            cadence_days=cadence[account.tier],
            days_since_contact=(today - timezone.localdate(account.last_contact_at)).days
            if account.last_contact_at
            else None,
            contact_status=contact_status(account.next_contact_due, today),
            ratings=ratings.get(account.pk, empty),
        )
        for account in accounts
    ]


# --- Scorecards ----------------------------------------------------------------------------------------------


@dataclass
class DepartmentScore:
    department: Department
    routed_issues: int = 0
    acknowledge_median_hours: float | None = None
    unacknowledged: int = 0
    plans_resolved: int = 0
    promises_kept: float | None = None
    promises_due: int = 0
    escalations: int = 0


def department_scorecards(*, user: Any, start: datetime, end: datetime) -> list[DepartmentScore]:
    """Every department's routed issues, time to acknowledge, plans resolved, promises kept and escalations."""
    table = kpi_table(user=user, start=start, end=end, by=KpiScope.DEPARTMENT)
    routed = dict(
        Issue.objects.visible_to(user)
        .filter(raised_at__gte=start, raised_at__lt=end)
        .order_by()
        .values_list("department_id")
        .annotate(n=Count("pk"))
    )
    resolved = dict(
        ActionPlan.objects.visible_to(user)
        .filter(resolved_at__gte=start, resolved_at__lt=end)
        .order_by()
        .values_list("department_id")
        .annotate(n=Count("pk"))
    )
    escalated: dict[int, int] = defaultdict(int)
    visible_plans = ActionPlan.objects.visible_to(user).values("pk")
    visible_issues = Issue.objects.visible_to(user).values("pk")
    for plan_department, issue_department in (
        Escalation.objects.filter(escalated_at__gte=start, escalated_at__lt=end)
        .filter(Q(plan__in=visible_plans) | Q(issue__in=visible_issues))
        .values_list("plan__department_id", "issue__department_id")
    ):
        escalated[plan_department or issue_department] += 1
    cards = []
    for department in Department.objects.order_by("name"):
        kpi = table.get(department.pk)
        cards.append(
            DepartmentScore(
                department=department,
                routed_issues=routed.get(department.pk, 0),
                acknowledge_median_hours=kpi.response_median_hours if kpi else None,
                unacknowledged=kpi.unacknowledged if kpi else 0,
                plans_resolved=resolved.get(department.pk, 0),
                promises_kept=kpi.promises_kept if kpi else None,
                promises_due=kpi.promises_due if kpi else 0,
                escalations=escalated.get(department.pk, 0),
            )
        )
    return cards


def people_visible_to(user: Any) -> QuerySet[User]:
    """Whose personal scorecard a user may open: their own; a lead's department; everyone for executives."""
    people = User.objects.filter(is_active=True).select_related("department")
    if sees_everything(user):
        return people
    rule = Q(pk=user.pk) | Q(manager_id=user.pk)
    if user.role == Role.DEPARTMENT_LEAD and user.department_id:
        rule |= Q(department_id=user.department_id)
    return people.filter(rule)


@dataclass
class PersonScore:
    person: User
    accounts: int = 0
    accounts_within_cadence: int = 0
    promises_kept: float | None = None
    promises_due: int = 0
    open_plans: int = 0
    overdue_plans: int = 0
    open_steps: int = 0
    plans: list[ActionPlan] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        return self.accounts_within_cadence / self.accounts if self.accounts else None


def person_scorecards(
    *, user: Any, people: QuerySet[User], start: datetime, end: datetime, today: date
) -> list[PersonScore]:
    """Coverage of each person's accounts, promises kept on their plans, and what they owe: a fixed few queries."""
    cadence = tier_rules().cadence_days
    cards = {person.pk: PersonScore(person=person) for person in people}
    ids = list(cards)
    within = Q()
    for tier, days in cadence.items():
        within |= Q(tier=tier, last_contact_at__gte=day_bounds(today - timedelta(days=days), today)[0])
    for row in (
        Account.objects.visible_to(user)
        .filter(owner_id__in=ids)
        .exclude(status__in=[AccountStatus.LOST, AccountStatus.PROSPECT])
        .order_by()
        .values("owner_id")
        .annotate(total=Count("pk"), covered=Count("pk", filter=within))
    ):
        cards[row["owner_id"]].accounts = row["total"]
        cards[row["owner_id"]].accounts_within_cadence = row["covered"]
    table = kpi_table(user=user, start=start, end=end, by=KpiScope.OWNER, today=today)
    for pk, card in cards.items():
        if pk in table:
            card.promises_kept = table[pk].promises_kept
            card.promises_due = table[pk].promises_due
    for row in (
        ActionPlan.objects.visible_to(user)
        .filter(owner_id__in=ids, status__in=ACTIVE_STATUSES)
        .order_by()
        .values("owner_id")
        .annotate(total=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    ):
        cards[row["owner_id"]].open_plans = row["total"]
        cards[row["owner_id"]].overdue_plans = row["overdue"]
    for assignee, n in (
        PlanStep.objects.filter(assignee_id__in=ids, done_at__isnull=True, plan__status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
    ):
        cards[assignee].open_steps = n
    return list(cards.values())


def owed_plans(*, user: Any, person: User, limit: int = 10) -> list[ActionPlan]:
    """The person's open plans, the most overdue first."""
    return list(
        ActionPlan.objects.visible_to(user)
        .filter(owner=person, status__in=ACTIVE_STATUSES)
        .select_related("account")
        .annotate(steps_open=Coalesce(Count("steps", filter=Q(steps__done_at__isnull=True)), 0))
        .order_by("due_on", "pk")[:limit]
    )


# --- The KPI page --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    title: str
    field: str  # the headline value on Kpis and KpiSnapshot
    unit: str  # "share" (0–1, shown as %), "hours", "days" or "rating"
    higher_is_better: bool
    question: str


KPI_DEFINITIONS = [
    KpiDefinition(
        "contact_coverage",
        "Contact coverage",
        "contact_coverage",
        "share",
        True,
        "Share of Strategic and Key accounts contacted within their cadence.",
    ),
    KpiDefinition(
        "response_speed",
        "Response speed",
        "response_median_hours",
        "hours",
        False,
        "Median hours from an issue raised to acknowledged.",
    ),
    KpiDefinition(
        "resolution_time",
        "Resolution time",
        "resolution_median_days",
        "days",
        False,
        "Median days from an issue raised to resolved.",
    ),
    KpiDefinition(
        "promises_kept",
        "Promises kept",
        "promises_kept",
        "share",
        True,
        "Share of plans resolved on or before the date we promised.",
    ),
    KpiDefinition(
        "customer_voice",
        "Customer voice",
        "rating_average",
        "rating",
        True,
        'Average answer to "how are we doing?" (1–5).',
    ),
]


ChannelSpeed = tuple[str, float | None, float | None, int]  # channel, median hours, p90 hours, acknowledged


@dataclass(frozen=True)
class KpiOverview:
    start: datetime
    end: datetime
    days: int
    first_day: date
    last_day: date
    current: Kpis
    previous: Kpis
    trend: list[TrendPoint]
    month_to_date: Kpis  # the trend's last point: live, over what the viewer may see, as the headline is
    by_department: list[tuple[Department, Kpis]]
    by_owner: list[tuple[User, Kpis]]
    by_channel: list[ChannelSpeed]
    as_of: datetime | None = None  # when the stored figures were computed; None: live for this request
    stored_variant: bool | None = None  # the stored variant that fits the viewer (None: none fits, always live)
    surveys: SurveyKpis | None = None  # the survey KPIs of the period, their trend and breakdowns


def response_by_channel(
    *, user: Any, start: datetime, end: datetime
) -> list[tuple[str, float | None, float | None, int]]:
    """Response speed per channel of the conversation that raised the issue: one query."""
    hours: dict[str, list[float]] = defaultdict(list)
    for channel, raised, ack in (
        Issue.objects.visible_to(user)
        .filter(raised_at__gte=start, raised_at__lt=end, acknowledged_at__isnull=False)
        .values_list("contact_log__channel", "raised_at", "acknowledged_at")
    ):
        if ack is not None:
            hours[channel or ""].append((ack - raised).total_seconds() / 3600)
    labels = dict(Channel.choices) | {"": "No conversation (raised directly)"}
    return [
        (labels.get(channel, channel), median(values), _p90(values), len(values))
        for channel, values in sorted(hours.items(), key=lambda item: labels.get(item[0], item[0]))
    ]


def window_bounds(*, today: date, days: int | None) -> tuple[date, datetime, datetime, datetime, datetime]:
    """The KPI page's period ending today: its first day, [start, end), and as many days before it."""
    first = today.replace(day=1) if days is None else today - timedelta(days=days - 1)
    start, end = day_bounds(first, today)
    return first, start, end, start - timedelta(days=(today - first).days + 1), start


@dataclass(frozen=True)
class WindowFigures:
    """What the KPI page shows for one period and one viewer, before names are put on it: computed live
    (kpi_window_figures) or read from a stored KpiWindowFigures row (stored_window_figures)."""

    tables: Tables
    previous: Kpis
    by_channel: list[ChannelSpeed]
    computed_at: datetime | None = None  # None: computed for this request
    surveys: dict[str, Any] | None = None  # surveys.kpis as JSON when stored ({} or None: compute it live)


def kpi_window_figures(*, user: Any, today: date, days: int | None) -> WindowFigures:
    """The KPI page's figures for the period ending today, live over what the viewer may see: the current
    window per organisation, department and owner, the previous window, and response speed by channel."""
    _, start, end, previous_start, previous_end = window_bounds(today=today, days=days)
    return WindowFigures(
        tables=kpi_tables(user=user, start=start, end=end, today=today),
        previous=kpis(user=user, start=previous_start, end=previous_end),
        by_channel=response_by_channel(user=user, start=start, end=end),
    )


def _kpis_from_json(values: dict[str, Any]) -> Kpis:
    return Kpis(**values)


def window_figures_as_json(figures: WindowFigures) -> dict[str, Any]:
    """A KpiWindowFigures row's JSON columns for these figures (floats round-trip exactly through JSON)."""
    return {
        "current": {
            "org": asdict(figures.tables[None][None]),
            "department": {str(k): asdict(v) for k, v in figures.tables[KpiScope.DEPARTMENT].items() if k is not None},
            "owner": {str(k): asdict(v) for k, v in figures.tables[KpiScope.OWNER].items() if k is not None},
        },
        "previous": asdict(figures.previous),
        "by_channel": [list(row) for row in figures.by_channel],
    }


def _window_figures_from_row(row: KpiWindowFigures) -> WindowFigures:
    current = row.current
    return WindowFigures(
        tables={
            None: {None: _kpis_from_json(current["org"])},
            KpiScope.DEPARTMENT: {int(k): _kpis_from_json(v) for k, v in current["department"].items()},
            KpiScope.OWNER: {int(k): _kpis_from_json(v) for k, v in current["owner"].items()},
        },
        previous=_kpis_from_json(row.previous),
        by_channel=[(label, med, p90, n) for label, med, p90, n in row.by_channel],
        computed_at=row.computed_at,
        surveys=row.surveys,
    )


def confidential_variant(user: Any) -> bool | None:
    """Which stored variant shows this viewer exactly what they may see: True (with confidential accounts) for
    executives and admins, False (without them) for anyone who may see no confidential account and owns no plan
    on one, None (no stored variant fits: compute live) for the rest. One query for the last two."""
    if sees_everything(user):
        return True
    confidential = Account.objects.visible_to(user).filter(is_confidential=True).values("pk")
    plans = ActionPlan.objects.visible_to(user).filter(account__is_confidential=True).values("account_id")
    return None if Account.objects.filter(Q(pk__in=confidential) | Q(pk__in=plans)).exists() else False


def stored_window_figures(
    *, with_confidential: bool, today: date, days: int | None
) -> tuple[WindowFigures, Kpis] | None:
    """The stored figures of the period and of this month to date (the trend's last point), when both were
    computed today; None otherwise. One query."""
    window = KpiWindow.MONTH if days is None else str(days)
    rows = {
        row.window: row
        for row in KpiWindowFigures.objects.filter(
            window__in={window, KpiWindow.MONTH}, with_confidential=with_confidential, day=today
        )
    }
    if window not in rows or KpiWindow.MONTH not in rows:
        return None
    # The older of the two rows' times: the page is at least as fresh as it says.
    computed_at = min(rows[window].computed_at, rows[KpiWindow.MONTH].computed_at)
    figures = replace(_window_figures_from_row(rows[window]), computed_at=computed_at)
    return figures, _window_figures_from_row(rows[KpiWindow.MONTH]).tables[None][None]


def kpi_overview(*, user: Any, today: date, days: int | None = 30) -> KpiOverview:
    """The KPI page: current and previous window, 12-month trend (snapshots, with this month's point as the
    headline of "This month"), breakdowns. `days` None is this month to date, against as many days before it.

    The figures are read from the stored KpiWindowFigures of today when one fits the viewer (executives: with
    confidential accounts; people who may see none: without), else computed live over exactly what the viewer
    may see. Either way this month's point and the "This month" headline are one figure, so they never disagree."""
    first, start, end, _, _ = window_bounds(today=today, days=days)
    variant = confidential_variant(user)
    stored = None if variant is None else stored_window_figures(with_confidential=variant, today=today, days=days)
    if stored is not None:
        figures, month_to_date = stored
    else:
        figures = kpi_window_figures(user=user, today=today, days=days)
        month_start = day_bounds(today.replace(day=1), today)[0]
        month_to_date = (
            figures.tables[None][None] if month_start == start else kpis(user=user, start=month_start, end=end)
        )
    surveys = (
        SurveyKpis.from_json(figures.surveys)
        if figures.surveys
        else survey_kpis(user=user, start=start, end=end, today=today)
    )
    tables = figures.tables
    by_department, by_owner = tables[KpiScope.DEPARTMENT], tables[KpiScope.OWNER]
    departments = Department.objects.in_bulk([k for k in by_department if k is not None])
    owners = User.objects.in_bulk([k for k in by_owner if k is not None])
    return KpiOverview(
        start=start,
        end=end,
        days=(today - first).days + 1,
        first_day=first,
        last_day=today,
        current=tables[None][None],
        previous=figures.previous,
        trend=kpi_trend(user=user, scope=KpiScope.ORGANISATION, scope_id=0, today=today),
        month_to_date=month_to_date,
        by_department=sorted(
            ((departments[k], v) for k, v in by_department.items() if k in departments), key=lambda r: r[0].name
        ),
        by_owner=sorted(((owners[k], v) for k, v in by_owner.items() if k in owners), key=lambda r: r[0].full_name),
        by_channel=figures.by_channel,
        as_of=figures.computed_at,
        stored_variant=variant,
        surveys=surveys,
    )


# --- Home pages: "what now?" for each role -------------------------------------------------------------------
# Every count is taken over the same scoped rows as the list it links to (visible_to first), so a number on the
# home page never counts what its reader may not open. Each read is a fixed number of queries: a count and a
# short list, or one aggregate.

HOME_LIST = 5  # rows shown under each count; the count links to the whole list
ISSUE_AGE_BUCKETS = (("under a day", 0, 1), ("1–3 days", 1, 3), ("3–7 days", 3, 7), ("over a week", 7, None))


@dataclass(frozen=True)
class Shortlist:
    """The first rows of a list and how many it has in all."""

    total: int
    items: list[Any]

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _shortlist(rows: QuerySet[Any], limit: int = HOME_LIST) -> Shortlist:
    """Two queries whatever the size: the count, then the first rows (never a count computed from the rows)."""
    return Shortlist(total=rows.order_by().count(), items=list(rows[:limit]))


def calls_due(*, user: User, today: date) -> Shortlist:
    """An account manager's accounts overdue or due for a conversation within a week, most urgent first."""
    return _shortlist(call_next_for_user(user=user, today=today))


def unread_notifications(*, user: User) -> Shortlist:
    """A person's unread notifications, newest first (each was written for its reader after a policy check)."""
    return _shortlist(user.notifications.filter(read_at__isnull=True).order_by("-created_at", "-id"))


@dataclass(frozen=True)
class AgeBucket:
    label: str
    count: int


@dataclass(frozen=True)
class DepartmentQueue:
    unacknowledged: list[AgeBucket]
    oldest: list[Issue]
    handoffs: Shortlist
    plans_overdue: int
    plans_due_this_week: int
    plans_due: list[ActionPlan]

    @property
    def unacknowledged_total(self) -> int:
        return sum(bucket.count for bucket in self.unacknowledged)


def department_queue(*, user: User, department: Department, now: datetime) -> DepartmentQueue:
    """What waits for a department: the new issues in its inbox by age, hand-offs to it not yet accepted, its
    active plans overdue or due within a week. Seven queries, scoped to what the reader may open."""
    today = timezone.localdate(now)
    # The inbox's own rows (owned by the department or handed to it), so the count is what its link lists.
    new_issues = (
        inbox_for_department(user=user, department=department).filter(status=IssueStatus.NEW).prefetch_related(None)
    )
    ages: dict[str, Any] = {}
    for index, (_, low, high) in enumerate(ISSUE_AGE_BUCKETS):
        window = Q(raised_at__lte=now - timedelta(days=low))
        if high is not None:
            window &= Q(raised_at__gt=now - timedelta(days=high))
        ages[f"age_{index}"] = Count("pk", filter=window)
    counts = new_issues.order_by().aggregate(**ages)
    oldest = list(new_issues.select_related("account").order_by("raised_at", "id")[:HOME_LIST])
    handoffs = _shortlist(
        IssueHandoff.objects.filter(
            to_department=department,
            accepted_at__isnull=True,
            issue__in=Issue.objects.visible_to(user).values("pk"),
        )
        .select_related("issue__account", "from_department")
        .order_by("handed_off_at", "id")
    )
    soon = today + timedelta(days=7)
    plans = ActionPlan.objects.visible_to(user).active().filter(department=department, due_on__lte=soon)
    plan_counts = plans.order_by().aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)), due_soon=Count("pk", filter=Q(due_on__gte=today))
    )
    return DepartmentQueue(
        unacknowledged=[AgeBucket(label, counts[f"age_{i}"]) for i, (label, *_) in enumerate(ISSUE_AGE_BUCKETS)],
        oldest=oldest,
        handoffs=handoffs,
        plans_overdue=plan_counts["overdue"],
        plans_due_this_week=plan_counts["due_soon"],
        plans_due=list(plans.select_related("account", "owner").order_by("due_on", "account__tier", "id")[:HOME_LIST]),
    )


PRIORITY_TIERS = (Tier.STRATEGIC, Tier.KEY)


@dataclass(frozen=True)
class ExecutiveWatch:
    health_fell: Shortlist  # accounts annotated with `health_before`
    broken_promises: Shortlist
    escalations: Shortlist
    since: datetime


def executive_watch(*, user: User, now: datetime, today: date) -> ExecutiveWatch:
    """What an executive should look at now: Strategic and Key accounts whose health is below last month's,
    active plans past the date we promised the customer, and the escalations of the last seven days. Six
    queries, each scoped to what the reader may open."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    before = AccountHealthMonth.objects.filter(account=OuterRef("pk"), month=last_month).values("health")[:1]
    fell = (
        Account.objects.visible_to(user)
        .filter(tier__in=PRIORITY_TIERS, health__isnull=False)
        .annotate(health_before=Subquery(before))
        .filter(health_before__gt=F("health"))
        .select_related("owner")
        .order_by(F("health") - F("health_before"), "rank", "id")
    )
    broken = (
        ActionPlan.objects.visible_to(user)
        .active()
        .filter(promise_on__lt=today)
        .select_related("account", "owner")
        .order_by("promise_on", "account__tier", "id")
    )
    since = now - timedelta(days=7)
    escalations = (
        Escalation.objects.filter(escalated_at__gte=since)
        .filter(
            Q(plan__in=ActionPlan.objects.visible_to(user).values("pk"))
            | Q(issue__in=Issue.objects.visible_to(user).values("pk"))
        )
        .select_related("plan__account", "issue__account")
        .order_by("-escalated_at", "-id")
    )
    return ExecutiveWatch(
        health_fell=_shortlist(fell),
        broken_promises=_shortlist(broken),
        escalations=_shortlist(escalations),
        since=since,
    )
