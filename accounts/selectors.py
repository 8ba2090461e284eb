"""Every read of customer accounts: scoped to what the user may see first, then shaped for the page or API."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from accounts.csv_parsing import COLUMNS
from accounts.models import (
    DEFAULT_REVIEW_MONTHS,
    DEFAULT_TIER_RULES,
    Account,
    AccountHealthMonth,
    AccountImport,
    AccountScore,
    AccountTeamMember,
    CustomerContact,
    PriorityChange,
    PriorityCriterion,
    Tier,
    TierRule,
)
from kernel import caching
from organization.models import User

DUE_SOON_DAYS = 7
PREVIEW_ROWS = 10  # of a CSV import, on its confirmation page


def contact_status(due: date | None, today: date) -> str:
    """Where an account stands against its contact cadence: never, overdue, due_soon (within a week) or ok."""
    if due is None:
        return "never"
    days = (due - today).days
    return "overdue" if days < 0 else "due_soon" if days <= DUE_SOON_DAYS else "ok"


def month_starts(today: date, months: int = 12) -> list[date]:
    """The first days of the last `months` months, oldest first, ending with today's month."""
    firsts = [today.replace(day=1)]
    for _ in range(months - 1):
        firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
    return firsts[::-1]


def health_trend(*, account: Account, today: date) -> list[int | None]:
    """The account's health in each of the last 12 months (None before it was first computed): one query."""
    firsts = month_starts(today)
    by_month = dict(
        AccountHealthMonth.objects.filter(account=account, month__gte=firsts[0]).values_list("month", "health")
    )
    return [by_month.get(first) for first in firsts]


def accounts_for_user(*, user: Any) -> QuerySet[Account]:
    """The accounts a user (or API client) may see, in rank order, with what a list row shows."""
    return Account.objects.visible_to(user).select_related("segment", "owner").order_by("rank", "id")


def account_detail_for_user(*, user: Any, pk: int) -> Account:
    """One account with its team, contacts and score breakdown; Account.DoesNotExist if not visible (a 404)."""
    return (
        Account.objects.visible_to(user)
        .select_related("segment", "owner", "executive_sponsor", "tier_override_by")
        .prefetch_related(
            Prefetch("team_members", queryset=AccountTeamMember.objects.select_related("user__department")),
            Prefetch("contacts", queryset=CustomerContact.objects.filter(is_active=True)),
            Prefetch("scores", queryset=AccountScore.objects.select_related("criterion")),
        )
        .get(pk=pk)
    )


def team_changes(*, account: Account, limit: int = 8) -> list[Any]:
    """The latest additions, changes and removals on the account's team, newest first (history rows): one query."""
    return list(
        AccountTeamMember.history.filter(account_id=account.pk)
        .select_related("user", "history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


def call_next_for_user(*, user: Any, today: date, within_days: int = 7) -> QuerySet[Account]:
    """An account manager's accounts overdue or due within a week: Strategic first, then the most overdue."""
    return (
        Account.objects.visible_to(user)
        .filter(owner_id=user.pk, next_contact_due__lte=today + timedelta(days=within_days))
        .exclude(status="lost")
        .select_related("segment")
        .order_by("tier", "next_contact_due", "rank")
    )


@dataclass(frozen=True)
class ScoreLine:
    criterion: PriorityCriterion
    value: Decimal
    weighted_share: Decimal  # this criterion's contribution to the 0–10 weighted score


def score_breakdown(*, account: Account) -> list[ScoreLine]:
    """Per active criterion: the account's score and what it contributes. Uses the prefetched scores."""
    criteria = list(PriorityCriterion.objects.filter(is_active=True))
    total = sum((c.weight for c in criteria), Decimal(0)) or Decimal(1)
    values = {s.criterion_id: s.value for s in account.scores.all()}
    return [
        ScoreLine(
            criterion=c,
            value=values.get(c.pk, Decimal(0)),
            weighted_share=(values.get(c.pk, Decimal(0)) * c.weight / total).quantize(Decimal("0.01")),
        )
        for c in criteria
    ]


def priority_history(*, account: Account, limit: int = 50) -> QuerySet[PriorityChange]:
    return account.priority_changes.select_related("changed_by")[:limit]


def preview_tier_moves(
    *, weights: Mapping[int, Decimal], min_scores: Mapping[int, Decimal], user: Any
) -> dict[tuple[int, int], int]:
    """How many (visible) accounts would move from one tier to another under proposed settings: one query.

    Overrides are respected (an overridden account keeps its manual tier), exactly as the recompute does.
    """
    total = sum(weights.values(), Decimal(0)) or Decimal(1)
    weight_of = Case(
        *[When(criterion_id=pk, then=Value(w)) for pk, w in weights.items()],
        default=Value(Decimal(0)),
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )
    weighted = (
        AccountScore.objects.filter(account=OuterRef("pk"), criterion__is_active=True)
        .annotate(part=ExpressionWrapper(F("value") * weight_of, output_field=DecimalField()))
        .values("account")
        .annotate(total=Sum("part"))
        .values("total")
    )
    new_score = Round(Coalesce(Subquery(weighted), Value(Decimal(0))) / Value(total), 2)
    computed = Case(
        When(new_score__gte=min_scores[Tier.STRATEGIC], then=Value(1)),
        When(new_score__gte=min_scores[Tier.KEY], then=Value(2)),
        When(new_score__gte=min_scores[Tier.CORE], then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    rows = (
        Account.objects.visible_to(user)
        .annotate(new_score=new_score)
        .annotate(new_tier=Case(When(tier_override__isnull=False, then=F("tier")), default=computed))
        .values("tier", "new_tier")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["tier"], row["new_tier"]): row["n"] for row in rows if row["tier"] != row["new_tier"]}


def tier_counts(*, user: Any) -> dict[int, int]:
    rows = Account.objects.visible_to(user).order_by().values("tier").annotate(n=Count("pk"))
    counts = {row["tier"]: row["n"] for row in rows}
    return {tier: counts.get(tier, 0) for tier in Tier.values}


@dataclass(frozen=True)
class TierRules:
    min_score: dict[int, Decimal]
    cadence_days: dict[int, int]
    review_months: dict[int, int] = field(default_factory=dict)  # tiers due a joint review, every N months


def tier_rules() -> TierRules:
    """The tier rules as stored (a data migration writes the defaults). A tier without a row, which only a hand-
    edited database has, takes its default in memory: a read never writes."""
    rules: dict[int, tuple[Decimal, int]] = {int(tier): rule for tier, rule in DEFAULT_TIER_RULES.items()}
    review_months: dict[int, int] = {int(tier): months for tier, months in DEFAULT_REVIEW_MONTHS.items()}
    for rule in TierRule.objects.all():
        rules[rule.tier] = (rule.min_score, rule.cadence_days)
        review_months.pop(rule.tier, None)
        if rule.review_every_months:
            review_months[rule.tier] = rule.review_every_months
    return TierRules(
        min_score={tier: min_score for tier, (min_score, _) in rules.items()},
        cadence_days={tier: cadence for tier, (_, cadence) in rules.items()},
        review_months=review_months,
    )


# Every API row and account page shows its tier's cadence; the rules change a few times a year. They are cached,
# dropped by every save or delete of a TierRule (accounts.apps connects forget_tier_rules), and kept at most
# this long in case a reader stored the old rules while a change committed.
TIER_RULES_CACHE_KEY = "accounts:tier-rules:v2"  # v2: with the review cadence
TIER_RULES_CACHE_SECONDS = 300


def cached_tier_rules() -> TierRules:
    """tier_rules(), from the cache when it holds them: a request's constants cost no query."""
    rules = caching.get(TIER_RULES_CACHE_KEY)
    if not isinstance(rules, TierRules):
        rules = tier_rules()
        caching.add(TIER_RULES_CACHE_KEY, rules, TIER_RULES_CACHE_SECONDS)
    return rules


def forget_tier_rules(**_signal: Any) -> None:
    """Drop the cached rules now (this transaction reads its own change) and after commit (other readers, who
    may have cached the old rules in between)."""
    caching.delete(TIER_RULES_CACHE_KEY)
    transaction.on_commit(lambda: caching.delete(TIER_RULES_CACHE_KEY))


def cadence_days() -> dict[int, int]:
    return cached_tier_rules().cadence_days


def review_months() -> dict[int, int]:
    """Per tier due a joint account review, every how many months (Strategic 3, Key 6 by default)."""
    return cached_tier_rules().review_months


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def next_contact_after(*, tier: int, occurred_at: datetime, rules: TierRules | None = None) -> date:
    """When the next conversation is due after one at `occurred_at`: its local date plus the tier's cadence. The
    account's contact clock (services.record_contact) and a log's default next-contact date both ask this."""
    return timezone.localdate(occurred_at) + timedelta(days=(rules or tier_rules()).cadence_days[tier])


def imports_for_user(*, user: User) -> QuerySet[AccountImport]:
    """A user's own CSV imports: an upload may hold confidential accounts, so nobody else sees it."""
    return AccountImport.objects.filter(created_by=user).defer("content", "errors")


def preview_rows(*, account_import: AccountImport, limit: int = PREVIEW_ROWS) -> list[list[str]]:
    """The first rows of a checked CSV file, in the kind's columns, for the confirmation page."""
    if not account_import.content:
        return []
    columns = COLUMNS[account_import.kind]
    reader = csv.DictReader(io.StringIO(account_import.content, newline=""))
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    rows = []
    for record in reader:
        if any((value or "").strip() for value in record.values() if isinstance(value, str)):
            rows.append([(record.get(column) or "").strip() for column in columns])
        if len(rows) == limit:
            break
    return rows
