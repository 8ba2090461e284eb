"""Year over year: each dimension of the annual perception survey this year against the last, per account and per
segment, with the change, and the plans proposed for the dimensions that declined. Every read here is scoped to
what the viewer may see (confidential accounts' answers follow the account) and runs a fixed number of queries.

A survey's year is its campaign's year (the year it was started, in the site's time zone): "this survey" is the
latest year an account (or a segment) answered, "the last" the year before that it answered. A dimension's score
for a year is the average of the 1–5 scores its contacts gave in that year's annual campaigns.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Max, QuerySet
from django.db.models.functions import ExtractYear

from accounts.models import Account, Segment
from accounts.policies import sees_everything
from feedback.models import Topic
from kernel import caching
from surveys.models import DIMENSIONS, DeclineProposal, SurveyAnswer, SurveyKind

DIMENSION_LABELS = {value: str(Topic(value).label) for value in DIMENSIONS}


@dataclass(frozen=True)
class DimensionChange:
    dimension: str
    previous: float | None
    current: float | None

    @property
    def label(self) -> str:
        return DIMENSION_LABELS.get(self.dimension, self.dimension)

    @property
    def change(self) -> float | None:
        if self.previous is None or self.current is None:
            return None
        return round(self.current - self.previous, 2)

    @property
    def declined(self) -> bool:
        return self.change is not None and self.change < 0


@dataclass(frozen=True)
class YearOverYear:
    """One account's or segment's dimensions, this survey's year against the last one answered."""

    current_year: int | None
    previous_year: int | None
    rows: list[DimensionChange]
    campaigns: dict[int, int] = field(default_factory=dict)  # year → the latest annual campaign answered in it

    @property
    def declined(self) -> list[DimensionChange]:
        return [row for row in self.rows if row.declined]

    @property
    def chart(self) -> dict[str, Any]:
        """What static/js/survey_charts.js draws (from a json_script block): one bar per dimension and year."""
        return {
            "labels": [row.label for row in self.rows],
            "previous_label": str(self.previous_year or "—"),
            "current_label": str(self.current_year or "—"),
            "previous": [row.previous for row in self.rows],
            "current": [row.current for row in self.rows],
        }


EMPTY = YearOverYear(None, None, [DimensionChange(d, None, None) for d in DIMENSIONS])


def annual_scores(answers: QuerySet[SurveyAnswer], *group_by: str) -> QuerySet[SurveyAnswer, dict[str, Any]]:
    """Submitted 1–5 dimension scores of annual surveys, grouped by the campaign's year, the dimension and
    `group_by`, for the caller to annotate with aggregates."""
    rows: QuerySet[SurveyAnswer, dict[str, Any]] = (
        answers.filter(
            response__submitted_at__isnull=False,
            response__campaign__kind=SurveyKind.ANNUAL,
            dimension__in=DIMENSIONS,
            score__isnull=False,
        )
        .annotate(year=ExtractYear("response__campaign__created_at"))
        .order_by()
        .values("year", "dimension", *group_by)
    )
    return rows


def compare(scores: dict[int, dict[str, float]], campaigns: dict[int, int] | None = None) -> YearOverYear:
    """{year: {dimension: average}} → the latest year against the one before it."""
    years = sorted(scores)
    if not years:
        return EMPTY
    current = years[-1]
    previous = years[-2] if len(years) > 1 else None
    rows = [
        DimensionChange(
            dimension,
            None if previous is None else scores[previous].get(dimension),
            scores[current].get(dimension),
        )
        for dimension in DIMENSIONS
    ]
    return YearOverYear(current, previous, rows, campaigns or {})


def _average(value: Any) -> float:
    return round(float(value), 2)


def account_year_over_year(*, account: Account) -> YearOverYear:
    """One account's dimensions (the caller has checked the viewer may open the account). One query."""
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    campaigns: dict[int, int] = {}
    for row in annual_scores(SurveyAnswer.objects.filter(response__account=account)).annotate(
        average=Avg("score"), campaign=Max("response__campaign_id")
    ):
        scores[row["year"]][row["dimension"]] = _average(row["average"])
        campaigns[row["year"]] = max(campaigns.get(row["year"], 0), row["campaign"])
    return compare(scores, campaigns)


@dataclass(frozen=True)
class SegmentYearOverYear:
    segment: Segment | None  # None: every account the viewer may see
    comparison: YearOverYear
    accounts: int  # accounts with answers in the current year


SEGMENTS_CACHE_KEY = "surveys:yoy-segments:everything"
SEGMENTS_CACHE_SECONDS = 600


def segments_year_over_year(*, user: Any) -> list[SegmentYearOverYear]:
    """Every segment's dimensions, and all segments together first, over the accounts the viewer may see. Two
    queries: the answers grouped by segment, year and dimension, then the segments' names.

    For those who see every account (executives, admins) the result is the same for all of them, and grouping
    every annual answer of the company takes a while: it is kept in the cache for SEGMENTS_CACHE_SECONDS and
    dropped when a survey is submitted (forget_segments). Anyone else gets it computed over what they may see."""
    if not sees_everything(user):
        return _segments_year_over_year(user=user)
    cached = caching.get(SEGMENTS_CACHE_KEY)
    if cached is not None:
        return list(cached)
    result = _segments_year_over_year(user=user)
    caching.set(SEGMENTS_CACHE_KEY, result, SEGMENTS_CACHE_SECONDS)
    return result


def forget_segments() -> None:
    """A survey was submitted: the next view recomputes the segments' comparison."""
    caching.delete(SEGMENTS_CACHE_KEY)


def _segments_year_over_year(*, user: Any) -> list[SegmentYearOverYear]:
    visible = SurveyAnswer.objects.visible_to(user)
    scores: dict[int | None, dict[int, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(dict))
    sums: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    accounts: dict[tuple[int | None, int], int] = defaultdict(int)
    for row in annual_scores(visible, "response__account__segment_id").annotate(
        average=Avg("score"), answers=Count("pk"), accounts=Count("response__account_id", distinct=True)
    ):
        segment = row["response__account__segment_id"]
        scores[segment][row["year"]][row["dimension"]] = [float(row["average"]), float(row["answers"])]
        total = sums[row["year"]][row["dimension"]]
        total[0] += float(row["average"]) * row["answers"]
        total[1] += row["answers"]
        key = (segment, row["year"])
        accounts[key] = max(accounts[key], row["accounts"])
    segments = Segment.objects.in_bulk(list(scores))
    result = [
        SegmentYearOverYear(
            None,
            compare({year: {d: _average(s / n) for d, (s, n) in dims.items() if n} for year, dims in sums.items()}),
            sum(n for (_, year), n in accounts.items() if year == max(sums, default=None)),
        )
    ]
    for segment_id, years in sorted(scores.items(), key=lambda item: segments[item[0]].name if item[0] else ""):
        comparison = compare({year: {d: _average(v[0]) for d, v in dims.items()} for year, dims in years.items()})
        result.append(
            SegmentYearOverYear(
                segments.get(segment_id) if segment_id is not None else None,
                comparison,
                accounts.get((segment_id, comparison.current_year or 0), 0),
            )
        )
    return result


def proposals_for_user(*, user: Any, account: Account | None = None) -> QuerySet[DeclineProposal]:
    """Proposed plans the viewer may see (their accounts' own, confidential ones only for their people), still to
    decide first, then the newest; for one account when given."""
    rows = DeclineProposal.objects.visible_to(user).select_related(
        "account", "suggested_owner", "department", "plan", "previous_campaign", "current_campaign"
    )
    if account is not None:
        rows = rows.filter(account=account)
    return rows.order_by("state", "-created_at", "-id")
