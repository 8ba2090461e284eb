"""The survey KPIs beside the five: response rate, satisfaction by dimension, NPS and "would choose again", with a
12-month trend and breakdowns, over what the viewer may see, in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Tier
from dashboards import services
from dashboards.selectors import day_bounds
from feedback.models import Topic
from organization.models import Role
from surveys.kpis import SurveyKpis, survey_kpis
from surveys.models import SurveyKind
from tests.factories import AccountFactory, DepartmentFactory, SegmentFactory, UserFactory
from tests.surveys.answered import answer, campaign, invite

pytestmark = pytest.mark.django_db


def recently(hours: int = 2) -> Any:
    return timezone.now() - timedelta(hours=hours)


def this_month() -> tuple[Any, Any]:
    today = timezone.localdate()
    return day_bounds(today.replace(day=1), today)


@pytest.fixture
def answered(alice: Any) -> dict[str, Account]:
    """Four contacts answered this month (recommend 10, 9, 8 and 3), one more was invited and did not answer."""
    quality = DepartmentFactory.create(name="Quality", slug="quality")
    alice.department = quality
    alice.save()
    industry = SegmentFactory.create(name="Industry")
    key = AccountFactory.create(owner=alice, segment=industry, name="Key Kilns")
    Account.objects.filter(pk=key.pk).update(tier=Tier.KEY)
    core = AccountFactory.create(segment=industry, name="Core Cranes")
    for account, recommend, again, delivery in [
        (key, 10, True, 5),
        (key, 9, True, 4),
        (core, 8, True, 3),
        (core, 3, False, 1),
    ]:
        answer(
            account,
            year=timezone.localdate().year,
            scores={Topic.DELIVERY: delivery},
            recommend=recommend,
            choose_again=again,
            submitted_at=recently(),
        )
    invite(core, campaign(year=timezone.localdate().year), sent_at=recently(3))
    return {"key": key, "core": core}


def test_nps_response_rate_choose_again_and_satisfaction(erin: Any, answered: dict[str, Account]) -> None:
    start, end = this_month()

    figures = survey_kpis(user=erin, start=start, end=end, today=timezone.localdate())

    assert figures.org.nps == 25.0  # (2 promoters - 1 detractor) / 4, in percent
    assert figures.org.response_rate == 4 / 5
    assert figures.org.choose_again == 3 / 4
    assert figures.org.satisfaction("delivery") == 3.25
    assert figures.org.satisfaction("pricing") is None  # nobody scored it: no 0


def test_breakdowns_by_tier_segment_owner_and_department(erin: Any, alice: Any, answered: dict[str, Account]) -> None:
    start, end = this_month()

    figures = survey_kpis(user=erin, start=start, end=end, today=timezone.localdate())

    by = {kind: {row.label: row.counts for row in rows} for kind, rows in figures.breakdowns.items()}
    assert by["tier"]["Key"].nps == 100.0 and by["tier"]["Key"].response_rate == 1.0
    assert by["segment"]["Industry"].recommend == 4
    assert by["owner"]["Alice Account"].choose_again == 1.0
    # Delivery is Quality's dimension: its satisfaction counts for Quality, whoever owns the accounts.
    assert by["department"]["Quality"].satisfaction("delivery") == 3.25
    assert figures.dimension_departments["delivery"] == "Quality"


def test_the_trend_has_twelve_months_with_this_one_last(erin: Any, answered: dict[str, Account]) -> None:
    answer(AccountFactory.create(), year=2026, recommend=0, submitted_at=recently(24 * 62))
    start, end = this_month()

    figures = survey_kpis(user=erin, start=start, end=end, today=timezone.localdate())

    assert len(figures.trend) == 12 and figures.months[-1] == timezone.localdate().replace(day=1)
    assert figures.trend[-1].nps == 25.0
    assert [point.nps for point in figures.trend[-4:-1]].count(-100.0) == 1  # two months ago: one detractor


def test_confidential_answers_never_reach_someone_who_may_not_see_them(alice: Any, erin: Any) -> None:
    secret = AccountFactory.create(is_confidential=True)  # not alice's, and she is on no team
    answer(secret, year=2026, kind=SurveyKind.PULSE, recommend=0, choose_again=False, submitted_at=recently())
    answer(AccountFactory.create(), year=2026, kind=SurveyKind.PULSE, recommend=10, submitted_at=recently())
    client = Client()
    for stored in (False, True):
        if stored:
            services.refresh_kpi_windows()
        client.force_login(alice)
        seen_by_alice = client.get(reverse("dashboards:kpis")).context["overview"].surveys
        client.force_login(erin)
        seen_by_erin = client.get(reverse("dashboards:kpis")).context["overview"].surveys

        assert (seen_by_alice.org.nps, seen_by_alice.org.recommend) == (100.0, 1)
        assert (seen_by_erin.org.nps, seen_by_erin.org.recommend) == (0.0, 2)
        assert all(row.counts.recommend == 1 for rows in seen_by_alice.breakdowns.values() for row in rows)


def test_the_kpi_page_shows_nps_and_response_rate_beside_the_five(erin: Any, answered: dict[str, Account]) -> None:
    client = Client()
    client.force_login(erin)

    html = client.get(reverse("dashboards:kpis")).content.decode()

    assert 'data-testid="kpi-nps">+25<' in html
    assert 'data-testid="kpi-survey_response_rate">80 %<' in html
    assert 'data-testid="kpi-choose_again">75 %<' in html
    assert 'id="chart-nps" type="application/json"' in html and "<script>" not in html
    assert "Satisfaction by dimension" in html and "By segment" in html


def test_stored_survey_figures_equal_the_live_ones(erin: Any, answered: dict[str, Account]) -> None:
    start, end = this_month()
    live = survey_kpis(user=erin, start=start, end=end, today=timezone.localdate())
    services.refresh_kpi_windows()
    client = Client()
    client.force_login(erin)

    overview = client.get(reverse("dashboards:kpis")).context["overview"]

    assert overview.as_of is not None  # read from the stored figures
    assert overview.surveys.as_json() == live.as_json()
    assert SurveyKpis.from_json(live.as_json()).as_json() == live.as_json()


@pytest.mark.parametrize("accounts", [2, 25])
def test_the_survey_kpis_run_a_constant_number_of_queries(
    erin: Any, accounts: int, django_assert_num_queries: Any
) -> None:
    for i in range(accounts):
        owner = UserFactory.create(role=Role.ACCOUNT_MANAGER, department=DepartmentFactory.create())
        account = AccountFactory.create(owner=owner, segment=SegmentFactory.create())
        answer(account, year=2026, scores={Topic.QUALITY: 1 + i % 5}, recommend=i % 11, submitted_at=recently())
    start, end = this_month()

    # period: invitations, responses, dimension scores; the dimension owners and the departments; the same
    # three for the trend
    with django_assert_num_queries(8):
        figures = survey_kpis(user=erin, start=start, end=end, today=timezone.localdate())

    assert figures.org.recommend == accounts and len(figures.breakdowns["owner"]) == accounts
