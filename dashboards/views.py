"""Executive views, all read-only: the priority-account dashboard, the five KPIs and the scorecards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from accounts import policies as account_policies
from accounts.filters import AccountFilter
from accounts.models import Account
from accounts.selectors import month_starts
from actionplans.selectors import what_i_owe
from dashboards import selectors, services
from kernel.exports import csv_lines
from organization import audit
from organization.models import Role, User
from reviews import selectors as review_selectors
from surveys.kpis import Counts, SurveyKpis

PAGE_SIZE = 50
WINDOWS = (30, 90)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What now? An account manager sees whom to call, what they owe and what is new; a department lead or
    staff member what waits for their department; an executive (or admin) what went wrong lately. Each number
    links to its list and counts only what its reader may open."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    now = timezone.now()
    today = timezone.localdate(now)
    context: dict[str, Any] = {"today": today, "replies": selectors.unread_notifications(user=user)}
    if user.is_executive:
        context["home"] = "executive"
        context["watch"] = selectors.executive_watch(user=user, now=now, today=today)
        context["reviews_due"] = review_selectors.reviews_due(user=user, today=today)
    elif user.role == Role.ACCOUNT_MANAGER:
        context["home"] = "account_manager"
        context["calls"] = selectors.calls_due(user=user, today=today)
        context["reviews_due"] = review_selectors.reviews_due(user=user, today=today)
        context["owed"] = what_i_owe(user=user, today=today)
    else:
        context["home"] = "department"
        if user.department is not None:
            context["queue"] = selectors.department_queue(user=user, department=user.department, now=now)
        context["owed"] = what_i_owe(user=user, today=today)
    return render(request, "dashboards/home.html", context)


def _filtered(request: HttpRequest) -> AccountFilter:
    visible = Account.objects.visible_to(request.user).order_by("rank", "id")
    return AccountFilter(request.GET or None, queryset=visible)


@login_required
@vary_on_headers("HX-Request")
def priority_dashboard(request: HttpRequest) -> HttpResponse:
    """Accounts in rank order with what shows whether they are looked after; totals over the whole selection."""
    today = timezone.localdate()
    filtered = _filtered(request)
    page = Paginator(selectors.with_priority_columns(filtered.qs, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = "dashboards/priority.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "priority-rows":
        template += "#priority-rows"
    query = request.GET.copy()
    query.pop("page", None)
    firsts = month_starts(today)
    return render(
        request,
        template,
        {
            "filter": filtered,
            "page": page,
            "rows": selectors.priority_rows(list(page), user=request.user, today=today),
            "totals": selectors.priority_totals(filtered.qs, today=today),
            "months": [first.strftime("%b %Y") for first in firsts],
            "query": query.urlencode(),
            "today": today,
        },
    )


EXPORT_CHUNK = 2000


@login_required
def priority_export(request: HttpRequest) -> StreamingHttpResponse:
    """What the dashboard shows, as CSV: every account the filters select (all pages), the same columns."""
    today = timezone.localdate()
    accounts = selectors.with_priority_columns(_filtered(request).qs, today=today)
    audit.record(kind=audit.Kind.EXPORT, request=request, detail={"export": "priority-accounts", **request.GET.dict()})
    rows = _export_rows(accounts, user=request.user, today=today)
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv")  # formulas neutralised, as everywhere
    response["Content-Disposition"] = f'attachment; filename="priority-accounts-{today.isoformat()}.csv"'
    return response


def _export_rows(accounts: QuerySet[Account], *, user: Any, today: date) -> Iterator[list[object]]:
    months = [f"rating_{first:%Y_%m}" for first in month_starts(today)]
    yield [
        "rank",
        "account",
        "external_id",
        "tier",
        "segment",
        "region",
        "owner",
        "status",
        "days_since_contact",
        "cadence_days",
        "contact_status",
        *(f"open_{severity}_issues" for severity in selectors.SEVERITIES),
        "overdue_plans",
        "open_escalations",
        "health",
        "health_band",
        "satisfied_but_at_risk",
        *months,
    ]
    chunk: list[Account] = []
    for account in accounts.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(account)
        if len(chunk) == EXPORT_CHUNK:
            yield from _export_chunk(chunk, user=user, today=today)
            chunk = []
    yield from _export_chunk(chunk, user=user, today=today)


def _export_chunk(chunk: list[Account], *, user: Any, today: date) -> Iterator[list[object]]:
    for row in selectors.priority_rows(chunk, user=user, today=today) if chunk else []:
        a: Any = row.account
        yield [
            a.rank,
            a.name,
            a.external_id or "",
            a.get_tier_display(),
            a.segment.name,
            a.region,
            a.owner.full_name,
            a.get_status_display(),
            "" if row.days_since_contact is None else row.days_since_contact,
            row.cadence_days,
            row.contact_status,
            *(getattr(a, f"open_{severity}") for severity in selectors.SEVERITIES),
            a.overdue_plans,
            a.open_escalations,
            "" if a.health is None else a.health,
            a.health_band or "",
            "yes" if a.health_at_risk else "no",
            *("" if value is None else value for value in row.ratings),
        ]


def _window(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", WINDOWS[0]))
    except ValueError:
        days = WINDOWS[0]
    return days if days in WINDOWS else WINDOWS[0]


@dataclass(frozen=True)
class KpiCard:
    definition: selectors.KpiDefinition
    current: float | None
    previous: float | None
    trend: list[float | None]
    detail: str
    months: list[str]

    @property
    def chart_id(self) -> str:
        return f"chart-{self.definition.key}"

    @property
    def chart(self) -> dict[str, Any]:
        """What static/js/charts.js draws: read from a json_script block, never from inline script."""
        return {
            "title": self.definition.title,
            "unit": self.definition.unit,
            "labels": self.months,
            "values": self.trend,
        }


def _kpi_cards(overview: selectors.KpiOverview) -> list[KpiCard]:
    now, before = overview.current, overview.previous
    details = {
        "contact_coverage": f"{now.accounts_due} Strategic and Key accounts",
        "response_speed": (
            f"90th percentile {now.response_p90_hours:.1f} h · " if now.response_p90_hours is not None else ""
        )
        + f"{now.unacknowledged} not yet acknowledged",
        "resolution_time": "issues resolved in the period",
        "promises_kept": f"{now.promises_due} promise dates passed",
        "customer_voice": (f"{now.rating_share_4_5:.0%} answered 4 or 5 · " if now.rating_share_4_5 is not None else "")
        + f"{now.ratings} ratings",
    }
    cards = []
    for definition in selectors.KPI_DEFINITIONS:
        trend = [
            getattr(point.snapshot, definition.field) if point.snapshot is not None else None
            for point in overview.trend
        ]
        # This month's point is live (the snapshot is a day old at best): the number the headline shows for it.
        trend[-1] = getattr(overview.month_to_date, definition.field)
        cards.append(
            KpiCard(
                definition=definition,
                current=getattr(now, definition.field),
                previous=getattr(before, definition.field),
                trend=trend,
                detail=details[definition.key],
                months=[point.month.strftime("%b %y") for point in overview.trend],
            )
        )
    return cards


@dataclass(frozen=True)
class SurveyCard:
    """One survey KPI on the KPI page: the period's value, its 12-month trend, drawn as the five KPIs are."""

    key: str
    title: str
    unit: str
    question: str
    current: float | None
    trend: list[float | None]
    months: list[str]
    detail: str

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def chart(self) -> dict[str, Any]:
        return {"title": self.title, "unit": self.unit, "labels": self.months, "values": self.trend}


SURVEY_DEFINITIONS = (
    (
        "survey_response_rate",
        "Survey response rate",
        "share",
        "Share of the contacts invited in the period who answered.",
    ),
    ("nps", "Net Promoter Score", "nps", "Promoters (9–10) minus detractors (0–6), in percent of those who answered."),
    ("choose_again", "Would choose us again", "share", "Share of those who answered who would choose us again."),
    ("survey_satisfaction", "Survey satisfaction", "rating", "Average 1–5 score over every dimension answered."),
)


def _survey_cards(surveys: SurveyKpis | None) -> list[SurveyCard]:
    if surveys is None:
        return []
    months = [month.strftime("%b %y") for month in surveys.months]

    def value(counts: Counts, key: str) -> float | None:
        values: dict[str, float | None] = {
            "survey_response_rate": counts.response_rate,
            "nps": counts.nps,
            "choose_again": counts.choose_again,
            "survey_satisfaction": counts.satisfaction_overall,
        }
        return values[key]

    org = surveys.org
    details = {
        "survey_response_rate": f"{org.responded} of {org.invited} invited answered",
        "nps": f"{org.promoters} promoters, {org.detractors} detractors of {org.recommend}",
        "choose_again": f"{org.choose_yes} of {org.choose} would",
        "survey_satisfaction": f"{sum(n for _, n in org.dimensions.values())} dimension scores",
    }
    return [
        SurveyCard(
            key=key,
            title=title,
            unit=unit,
            question=question,
            current=value(org, key),
            trend=[value(point, key) for point in surveys.trend],
            months=months,
            detail=details[key],
        )
        for key, title, unit, question in SURVEY_DEFINITIONS
    ]


# The KPI page's periods: this month to date (its headline is the trend's last point), or the last 30 or 90 days.
KPI_WINDOWS = (("month", "This month"), ("30", "Last 30 days"), ("90", "Last 90 days"))


@login_required
def kpi_page(request: HttpRequest) -> HttpResponse:
    """The five KPIs: now against the previous period, a 12-month trend, and who contributes."""
    today = timezone.localdate()
    window = request.GET.get("days", "")
    window = window if window in dict(KPI_WINDOWS) else KPI_WINDOWS[0][0]
    days = None if window == "month" else int(window)
    overview = selectors.kpi_overview(user=request.user, today=today, days=days)
    if overview.as_of is None and overview.stored_variant is not None:
        services.request_kpi_refresh()  # nothing stored for today yet: store it for the next viewer
    cards = _kpi_cards(overview)
    return render(
        request,
        "dashboards/kpis.html",
        {
            "overview": overview,
            "cards": cards,
            "reviewed_on_time": review_selectors.reviewed_on_time(user=request.user, today=today),
            "survey_cards": _survey_cards(overview.surveys),
            "surveys": overview.surveys,
            "survey_definitions": SURVEY_DEFINITIONS,
            "months": cards[0].months,
            "window": window,
            "days": overview.days,
            "windows": KPI_WINDOWS,
            "definitions": selectors.KPI_DEFINITIONS,
            "sees_everything": account_policies.sees_everything(request.user),
            "refresh_seconds": settings.KPI_REFRESH_SECONDS,
        },
    )


@login_required
@vary_on_headers("HX-Request")
def scorecards(request: HttpRequest) -> HttpResponse:
    """Every department's scorecard, and the people whose personal scorecard the viewer may open."""
    today = timezone.localdate()
    days = _window(request)
    start, end = selectors.day_bounds(today - timedelta(days=days - 1), today)
    # An executive may open everyone's scorecard: page the people, 50 at a time, as every list page.
    page = Paginator(selectors.people_visible_to(request.user).order_by("full_name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    people = selectors.people_visible_to(request.user).filter(pk__in=[person.pk for person in page])
    query = request.GET.copy()
    query.pop("page", None)
    cards = selectors.person_scorecards(user=request.user, people=people, start=start, end=end, today=today)
    template = "dashboards/scorecards.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "people-rows":
        template += "#people-rows"
    return render(
        request,
        template,
        {
            "departments": selectors.department_scorecards(user=request.user, start=start, end=end),
            "people": sorted(cards, key=lambda card: (card.person.full_name, card.person.pk)),
            "page": page,
            "query": query.urlencode(),
            "days": days,
            "windows": WINDOWS,
        },
    )


@login_required
def my_scorecard(request: HttpRequest) -> HttpResponse:
    return redirect("dashboards:person", pk=request.user.pk)


@login_required
def person_scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's customer goals: coverage of their accounts, promises kept, and what they owe."""
    people = selectors.people_visible_to(request.user).filter(pk=pk)
    person: User | None = people.first()
    if person is None:
        raise Http404("No such person, or not yours to see.")
    today = timezone.localdate()
    days = _window(request)
    start, end = selectors.day_bounds(today - timedelta(days=days - 1), today)
    card = selectors.person_scorecards(user=request.user, people=people, start=start, end=end, today=today)[0]
    return render(
        request,
        "dashboards/person.html",
        {
            "card": card,
            "person": person,
            "owed": selectors.owed_plans(user=request.user, person=person),
            "days": days,
            "windows": WINDOWS,
            "today": today,
        },
    )
