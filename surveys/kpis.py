"""The survey KPIs beside the five customer KPIs (docs/kpis.md, "Survey KPIs"): response rate, satisfaction by
dimension, Net Promoter Score and "would choose us again", over a period, with a 12-month trend and breakdowns
by tier, segment, owner and department.

Every figure is counted over what the viewer may see (confidential accounts' answers only for their people), in
a fixed number of grouped queries whatever the number of answers: three for the period, three for the trend,
one for the departments that own the dimensions. The result is plain JSON (`as_json` / `from_json`), so the
dashboards can store it beside the KPI page's other figures (KpiWindowFigures) and read it back with no query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Tier
from feedback.models import Topic
from organization.models import Department
from surveys.models import DIMENSIONS, DimensionOwner, SurveyAnswer, SurveyInvitation, SurveyResponse
from surveys.selectors import DEFAULT_OWNER_SLUGS

PROMOTER = 9  # 9–10 promote us
DETRACTOR = 6  # 0–6 detract (NPS); 7–8 are passive
BREAKDOWNS = ("tier", "segment", "owner", "department")
TREND_MONTHS = 12


@dataclass
class Counts:
    """What every survey KPI is computed from, for one scope (the organisation, a tier, a segment…)."""

    invited: int = 0
    responded: int = 0
    recommend: int = 0
    promoters: int = 0
    detractors: int = 0
    choose: int = 0
    choose_yes: int = 0
    dimensions: dict[str, list[int]] = field(default_factory=dict)  # dimension → [sum of scores, scores]

    @property
    def response_rate(self) -> float | None:
        """Share 0–1 of the contacts invited in the period who have answered."""
        return self.responded / self.invited if self.invited else None

    @property
    def nps(self) -> float | None:
        """Promoters (9–10) minus detractors (0–6), in percent of those who answered, -100 to 100."""
        return round(100 * (self.promoters - self.detractors) / self.recommend, 1) if self.recommend else None

    @property
    def choose_again(self) -> float | None:
        """Share 0–1 of those asked who would choose us again."""
        return self.choose_yes / self.choose if self.choose else None

    def satisfaction(self, dimension: str) -> float | None:
        total, n = self.dimensions.get(dimension, [0, 0])
        return round(total / n, 2) if n else None

    @property
    def satisfaction_overall(self) -> float | None:
        total = sum(s for s, _ in self.dimensions.values())
        n = sum(n for _, n in self.dimensions.values())
        return round(total / n, 2) if n else None

    @property
    def by_dimension(self) -> list[tuple[str, float | None, int]]:
        return [(str(Topic(d).label), self.satisfaction(d), self.dimensions.get(d, [0, 0])[1]) for d in DIMENSIONS]

    def add_dimension(self, dimension: str, total: int, n: int) -> None:
        sums = self.dimensions.setdefault(dimension, [0, 0])
        sums[0] += total
        sums[1] += n

    def as_json(self) -> dict[str, Any]:
        return {
            "invited": self.invited,
            "responded": self.responded,
            "recommend": self.recommend,
            "promoters": self.promoters,
            "detractors": self.detractors,
            "choose": self.choose,
            "choose_yes": self.choose_yes,
            "dimensions": self.dimensions,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Counts:
        return cls(**value)


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    counts: Counts


@dataclass
class SurveyKpis:
    """The period's figures for the organisation and each breakdown, and the trend's months."""

    org: Counts
    breakdowns: dict[str, list[Breakdown]]
    months: list[date]
    trend: list[Counts]
    dimension_departments: dict[str, str]  # dimension → the owning department's name

    @property
    def dimension_rows(self) -> list[tuple[str, str, float | None, int]]:
        """Per dimension: its label, the department that owns it, the average score and how many scores."""
        return [
            (
                str(Topic(d).label),
                self.dimension_departments.get(d, "—"),
                self.org.satisfaction(d),
                self.org.dimensions.get(d, [0, 0])[1],
            )
            for d in DIMENSIONS
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org.as_json(),
            "breakdowns": {
                kind: [[row.key, row.label, row.counts.as_json()] for row in rows]
                for kind, rows in self.breakdowns.items()
            },
            "months": [month.isoformat() for month in self.months],
            "trend": [counts.as_json() for counts in self.trend],
            "dimension_departments": self.dimension_departments,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> SurveyKpis:
        return cls(
            org=Counts.from_json(value["org"]),
            breakdowns={
                kind: [Breakdown(key, label, Counts.from_json(counts)) for key, label, counts in rows]
                for kind, rows in value["breakdowns"].items()
            },
            months=[date.fromisoformat(month) for month in value["months"]],
            trend=[Counts.from_json(counts) for counts in value["trend"]],
            dimension_departments=value["dimension_departments"],
        )


def _keys(prefix: str) -> tuple[str, ...]:
    return (
        f"{prefix}tier",
        f"{prefix}segment_id",
        f"{prefix}segment__name",
        f"{prefix}owner_id",
        f"{prefix}owner__full_name",
        f"{prefix}owner__department_id",
        f"{prefix}owner__department__name",
    )


def _places(row: tuple[Any, ...]) -> list[tuple[str, str, str]]:
    """Where one grouped row counts: (breakdown, key, label) for its tier, segment, owner and owner's department."""
    tier, segment, segment_name, owner, owner_name, department, department_name = row
    places = [("tier", str(tier), str(Tier(tier).label) if tier in Tier.values else str(tier))]
    if segment is not None:
        places.append(("segment", str(segment), segment_name))
    places.append(("owner", str(owner), owner_name))
    if department is not None:
        places.append(("department", str(department), department_name))
    return places


def month_firsts(today: date, months: int = TREND_MONTHS) -> list[date]:
    first = today.replace(day=1)
    firsts = [first]
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        firsts.append(first)
    return list(reversed(firsts))


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def dimension_departments() -> dict[str, tuple[int, str]]:
    """dimension → (id, name) of the department that owns it: the admin's DimensionOwner rows, else the shipped
    defaults by slug (surveys.selectors.department_for_dimension's rule). One query."""
    owners = {
        row.dimension: (row.department_id, row.department.name)
        for row in DimensionOwner.objects.select_related("department")
    }
    defaults = {slug: (pk, name) for pk, name, slug in Department.objects.values_list("pk", "name", "slug")}
    return {
        d: owners[d] if d in owners else defaults[DEFAULT_OWNER_SLUGS[d]]
        for d in DIMENSIONS
        if d in owners or DEFAULT_OWNER_SLUGS.get(d) in defaults
    }


def survey_kpis(*, user: Any, start: datetime, end: datetime, today: date) -> SurveyKpis:
    """The survey KPIs over [start, end) and the 12 months to `today`, over what `user` may see."""
    invitations = SurveyInvitation.objects.visible_to(user).filter(sent_at__isnull=False)
    responses = SurveyResponse.objects.visible_to(user).submitted()
    answers = SurveyAnswer.objects.visible_to(user).filter(
        response__submitted_at__isnull=False, dimension__in=DIMENSIONS, score__isnull=False
    )
    org = Counts()
    scoped: dict[tuple[str, str], Counts] = defaultdict(Counts)
    labels: dict[tuple[str, str], str] = {}

    def places(row: tuple[Any, ...]) -> list[Counts]:
        found = [org]
        for kind, key, label in _places(row):
            labels[(kind, key)] = label
            found.append(scoped[(kind, key)])
        return found

    for *row, invited, responded in (
        invitations.filter(sent_at__gte=start, sent_at__lt=end)
        .order_by()
        .values_list(*_keys("account__"))
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(response__submitted_at__isnull=False)))
    ):
        for counts in places(tuple(row)):
            counts.invited += invited
            counts.responded += responded
    for *row, recommend, promoters, detractors, choose, choose_yes in (
        responses.filter(submitted_at__gte=start, submitted_at__lt=end)
        .order_by()
        .values_list(*_keys("account__"))
        .annotate(**_advocacy())
    ):
        for counts in places(tuple(row)):
            counts.recommend += recommend
            counts.promoters += promoters
            counts.detractors += detractors
            counts.choose += choose
            counts.choose_yes += choose_yes
    owned = dimension_departments()
    for *row, dimension, total, n in (
        answers.filter(response__submitted_at__gte=start, response__submitted_at__lt=end)
        .order_by()
        .values_list(*_keys("response__account__"), "dimension")
        .annotate(total=Sum("score"), n=Count("pk"))
    ):
        # A dimension's satisfaction counts for the department that owns the dimension, not the owner's.
        for kind, key, label in [("org", "", ""), *_places(tuple(row))]:
            if kind == "department":
                continue
            (org if kind == "org" else scoped[(kind, key)]).add_dimension(dimension, total, n)
            if kind != "org":
                labels[(kind, key)] = label
        if dimension in owned:
            department_id, name = owned[dimension]
            labels[("department", str(department_id))] = name
            scoped[("department", str(department_id))].add_dimension(dimension, total, n)

    months = month_firsts(today)
    trend = {month: Counts() for month in months}
    since, until = _moment(months[0]), _moment(today + timedelta(days=1))
    for month, invited, responded in (
        invitations.filter(sent_at__gte=since, sent_at__lt=until)
        .annotate(month=TruncMonth("sent_at"))
        .order_by()
        .values_list("month")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(response__submitted_at__isnull=False)))
    ):
        point = trend.get(_first(month))
        if point is not None:
            point.invited, point.responded = invited, responded
    for month, recommend, promoters, detractors, choose, choose_yes in (
        responses.filter(submitted_at__gte=since, submitted_at__lt=until)
        .annotate(month=TruncMonth("submitted_at"))
        .order_by()
        .values_list("month")
        .annotate(**_advocacy())
    ):
        point = trend.get(_first(month))
        if point is not None:
            point.recommend, point.promoters, point.detractors = recommend, promoters, detractors
            point.choose, point.choose_yes = choose, choose_yes
    for month, dimension, total, n in (
        answers.filter(response__submitted_at__gte=since, response__submitted_at__lt=until)
        .annotate(month=TruncMonth("response__submitted_at"))
        .order_by()
        .values_list("month", "dimension")
        .annotate(total=Sum("score"), n=Count("pk"))
    ):
        point = trend.get(_first(month))
        if point is not None:
            point.add_dimension(dimension, total, n)

    breakdowns: dict[str, list[Breakdown]] = {kind: [] for kind in BREAKDOWNS}
    for (kind, key), counts in scoped.items():
        breakdowns[kind].append(Breakdown(key, labels.get((kind, key), key), counts))
    for kind, rows in breakdowns.items():
        rows.sort(key=lambda row: (int(row.key), row.label) if kind == "tier" else (row.label, row.key))
    return SurveyKpis(
        org=org,
        breakdowns=breakdowns,
        months=months,
        trend=[trend[month] for month in months],
        dimension_departments={d: name for d, (_, name) in owned.items()},
    )


def _advocacy() -> dict[str, Any]:
    return {
        "n_recommend": Count("pk", filter=Q(recommend__isnull=False)),
        "n_promoters": Count("pk", filter=Q(recommend__gte=PROMOTER)),
        "n_detractors": Count("pk", filter=Q(recommend__lte=DETRACTOR)),
        "n_choose": Count("pk", filter=Q(choose_again__isnull=False)),
        "n_choose_yes": Count("pk", filter=Q(choose_again=True)),
    }


def _first(moment: Any) -> date:
    """TruncMonth's value as the month's first day (a date-time on PostgreSQL, in the current time zone)."""
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date().replace(day=1) if timezone.is_aware(moment) else moment.date()
    return moment  # type: ignore[no-any-return]
