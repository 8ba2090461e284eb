"""Daily KPI snapshots (idempotent, two confidentiality variants), the KPI page and /api/v1/kpis."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account
from dashboards import services
from dashboards.models import KpiSnapshot
from dashboards.selectors import kpi_table, kpi_trend
from organization.models import Role
from tests.dashboards.scale import bulk_accounts
from tests.factories import (
    AccountFactory,
    ContactLogFactory,
    DepartmentFactory,
    IssueFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def test_a_snapshot_is_written_once_per_day_scope_and_variant_and_rewritten_on_rerun(erin: Any) -> None:
    day = date(2026, 10, 20)
    confidential = AccountFactory.create(is_confidential=True)
    ContactLogFactory.create(account=confidential, occurred_at=at(day - timedelta(days=3)), rating=1)
    ContactLogFactory.create(occurred_at=at(day - timedelta(days=2)), rating=5)

    first = services.snapshot_kpis(day=day)
    second = services.snapshot_kpis(day=day)

    org = KpiSnapshot.objects.filter(day=day, scope="org")
    assert first == second == KpiSnapshot.objects.filter(day=day).count()
    assert org.get(with_confidential=True).rating_average == 3  # (1 + 5) / 2: every account
    assert org.get(with_confidential=False).rating_average == 5  # the confidential account left out
    owners = KpiSnapshot.objects.filter(day=day, scope="owner", with_confidential=True)
    assert set(owners.values_list("scope_id", flat=True)) == set(Account.objects.values_list("owner_id", flat=True))


def test_a_snapshot_counts_the_month_to_date_only(erin: Any) -> None:
    ContactLogFactory.create(occurred_at=at(date(2026, 9, 30)), rating=1)  # last month
    ContactLogFactory.create(occurred_at=at(date(2026, 10, 2)), rating=4)
    ContactLogFactory.create(occurred_at=at(date(2026, 10, 21)), rating=2)  # after the day

    services.snapshot_kpis(day=date(2026, 10, 20))

    snap = KpiSnapshot.objects.get(scope="org", with_confidential=True)
    assert (snap.rating_average, snap.ratings) == (4, 1)


def test_the_trend_takes_each_months_last_snapshot_and_leaves_gaps(erin: Any, bob: Any) -> None:
    ContactLogFactory.create(occurred_at=at(date(2026, 9, 10)), rating=2)
    ContactLogFactory.create(occurred_at=at(date(2026, 9, 25)), rating=4)
    for day in (date(2026, 9, 15), date(2026, 9, 30), date(2026, 11, 3)):
        services.snapshot_kpis(day=day)

    trend = kpi_trend(user=erin, scope="org", scope_id=0, today=date(2026, 11, 3))

    assert [p.month for p in trend][-3:] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    september, october, november = trend[-3:]
    assert september.snapshot is not None and september.snapshot.rating_average == 3  # the 30th, not the 15th
    assert october.snapshot is None  # no snapshot that month: a gap, not a zero
    assert november.snapshot is not None and november.snapshot.ratings == 0
    assert len(trend) == 12
    for_bob = kpi_trend(user=bob, scope="org", scope_id=0, today=date(2026, 11, 3))[-3].snapshot
    assert for_bob is not None and for_bob.with_confidential is False


def test_the_backfill_writes_eleven_month_ends_and_today() -> None:
    services.backfill_kpi_snapshots(today=date(2026, 11, 23))
    days = sorted(set(KpiSnapshot.objects.filter(scope="org").values_list("day", flat=True)))
    assert days[0] == date(2025, 12, 31) and days[-2:] == [date(2026, 10, 31), date(2026, 11, 23)]
    assert len(days) == 12


def test_breakdowns_route_each_kpi_to_its_department_and_owner(erin: Any) -> None:
    """Issues count for the department they are routed to; ratings for the owner's (docs/kpis.md)."""
    quality, billing = DepartmentFactory.create(name="Quality"), DepartmentFactory.create(name="Billing")
    owner = UserFactory.create(role=Role.ACCOUNT_MANAGER, department=billing)
    account = AccountFactory.create(owner=owner)
    start = at(date(2026, 10, 1), 0)
    for hours, department in ((2, quality), (4, quality), (10, billing)):
        IssueFactory.create(
            contact_log__account=account,
            department=department,
            raised_at=start,
            acknowledged_at=start + timedelta(hours=hours),
        )
    ContactLogFactory.create(account=account, occurred_at=start, rating=4)

    by_department = kpi_table(user=erin, start=start, end=start + timedelta(days=30), by="department")
    by_owner = kpi_table(user=erin, start=start, end=start + timedelta(days=30), by="owner")

    assert by_department[quality.pk].response_median_hours == 3
    assert by_department[billing.pk].response_median_hours == 10
    assert by_department[billing.pk].rating_average == 4  # the owner's department
    assert quality.pk not in by_department or by_department[quality.pk].rating_average is None
    assert by_owner[owner.pk].response_median_hours == 4  # every issue on the owner's account


@pytest.mark.parametrize("count", [10, 1000])
def test_the_kpi_page_runs_a_constant_number_of_queries(erin: Any, count: int, django_assert_num_queries: Any) -> None:
    bulk_accounts(count)
    services.snapshot_kpis(day=timezone.localdate())
    client = Client()
    client.force_login(erin)
    # Nothing stored for today yet (tests/dashboards/test_kpi_window_figures.py reads stored figures): session,
    # user; the stored figures (none); 5 for the current window (org, departments and owners at once), 5 for the
    # previous one; department and owner names; snapshots; response by channel; unread notifications; the menu;
    # the survey KPIs (surveys.kpis): invitations, responses and dimension scores for the period and for the
    # 12-month trend, and the departments that own the dimensions (their rows and the defaults by slug); accounts
    # reviewed on time (reviews.selectors): the tier rules and the review-cadence accounts
    with django_assert_num_queries(29):
        response = client.get(reverse("dashboards:kpis"))
    assert response.status_code == 200
    assert response.context["overview"].current.ratings == 10


def test_the_kpi_page_shows_value_change_trend_table_and_breakdowns(erin: Any) -> None:
    today = timezone.localdate()
    ContactLogFactory.create(occurred_at=timezone.now() - timedelta(days=40), rating=2)  # previous 30 days
    ContactLogFactory.create(occurred_at=timezone.now() - timedelta(hours=1), rating=4)
    services.snapshot_kpis(day=today)
    client = Client()
    client.force_login(erin)

    html = client.get(reverse("dashboards:kpis"), {"days": "30"}).content.decode()

    assert "4.00 / 5" in html and "▲ 2.00 · better" in html
    assert 'id="chart-customer_voice" type="application/json"' in html  # the chart's data, no inline script
    assert '<th scope="row">Customer voice</th>' in html  # the same numbers as a table
    assert "By department" in html and "By owner" in html
    assert "<script>" not in html


def test_the_kpi_window_is_this_month_30_or_90_days_and_nothing_else(erin: Any) -> None:
    client = Client()
    client.force_login(erin)
    assert client.get(reverse("dashboards:kpis"), {"days": "90"}).context["days"] == 90
    garbage = client.get(reverse("dashboards:kpis"), {"days": "7; drop table"}).context
    assert (garbage["window"], garbage["days"]) == ("month", timezone.localdate().day)


@pytest.mark.parametrize("window", ["month", "30"])
def test_the_kpi_headline_and_this_months_point_of_its_trend_agree(erin: Any, window: str) -> None:
    """Under "This month" they are one number; the trend's point is live whatever the window, not the
    snapshot, which lags (taken at night) and here is stale: written before today's rating."""
    services.snapshot_kpis(day=timezone.localdate())
    ContactLogFactory.create(occurred_at=timezone.now() - timedelta(minutes=5), rating=2)
    client = Client()
    client.force_login(erin)

    context = client.get(reverse("dashboards:kpis"), {"days": window}).context
    voice = next(card for card in context["cards"] if card.definition.key == "customer_voice")

    assert voice.trend[-1] == context["overview"].month_to_date.rating_average == 2
    if window == "month":
        assert voice.current == voice.trend[-1]


# --- API ---------------------------------------------------------------------------------------------------------


def test_the_kpi_api_serves_current_previous_and_twelve_months(api: APIClient, read_token: str) -> None:
    ContactLogFactory.create(occurred_at=timezone.now() - timedelta(hours=1), rating=5)
    services.snapshot_kpis(day=timezone.localdate())
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")

    body = api.get(reverse("api:kpis")).json()

    assert (body["scope"], body["scope_id"], body["days"]) == ("org", None, 30)
    assert body["current"]["rating_average"] == 5 and body["previous"]["rating_average"] is None
    assert len(body["history"]) == 12
    assert body["history"][-1]["available"] is True and body["history"][-1]["ratings"] == 1
    assert body["history"][0]["available"] is False and body["history"][0]["rating_average"] is None


def test_the_kpi_api_scopes_to_a_department_and_refuses_bad_scopes(api: APIClient, read_token: str) -> None:
    department = DepartmentFactory.create()
    start = timezone.now() - timedelta(days=2)
    IssueFactory.create(department=department, raised_at=start, acknowledged_at=start + timedelta(hours=6))
    IssueFactory.create(raised_at=start, acknowledged_at=start + timedelta(hours=1))  # another department
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")

    ok = api.get(reverse("api:kpis"), {"scope": "department", "scope_id": department.pk})
    missing = api.get(reverse("api:kpis"), {"scope": "department"})
    unknown = api.get(reverse("api:kpis"), {"scope": "owner", "scope_id": "999999"})
    wrong = api.get(reverse("api:kpis"), {"scope": "galaxy", "days": "12"})

    assert ok.status_code == 200 and ok.json()["current"]["response_median_hours"] == 6
    assert missing.status_code == 400 and "scope_id" in missing.json()["errors"]
    assert unknown.status_code == 400 and "scope_id" in unknown.json()["errors"]
    assert wrong.status_code == 400 and {"scope", "days"} <= set(wrong.json()["errors"])


def test_an_api_client_kpi_leaves_out_confidential_accounts(api: APIClient, read_token: str) -> None:
    ContactLogFactory.create(
        account=AccountFactory.create(is_confidential=True), occurred_at=timezone.now() - timedelta(hours=1), rating=1
    )
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    assert api.get(reverse("api:kpis")).json()["current"]["ratings"] == 0


@pytest.mark.parametrize("count", [10, 1000])
def test_the_kpi_api_runs_a_constant_number_of_queries(
    api: APIClient, read_token: str, count: int, django_assert_num_queries: Any
) -> None:
    bulk_accounts(count)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    api.get(reverse("api:kpis"))  # the token's first use of the hour is recorded once
    # the token (cached since its first use); 5 per KPI table × 2 (current, previous); snapshots
    with django_assert_num_queries(11):
        response = api.get(reverse("api:kpis"))
    assert response.json()["current"]["ratings"] == 10


def test_the_daily_task_completes_yesterday_and_starts_today() -> None:
    with time_machine.travel(datetime(2026, 11, 2, 0, 15, tzinfo=timezone.get_current_timezone()), tick=False):
        from dashboards.tasks import snapshot_kpis_task

        snapshot_kpis_task.delay()
    assert set(KpiSnapshot.objects.values_list("day", flat=True)) == {date(2026, 11, 1), date(2026, 11, 2)}


def test_beat_schedules_the_snapshots_and_the_health_as_registered_tasks(settings: Any) -> None:
    from connectivity.celery import app

    app.loader.import_default_modules()  # what a worker does at start: discover every app's tasks
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"dashboards.tasks.snapshot_kpis_task", "dashboards.tasks.recompute_health_task"} <= tasks
    assert tasks <= set(app.tasks)  # every scheduled name is a task a worker knows
