"""What the survey answers become for the people inside (issue 16): the account manager sees the dimension that
declined and its proposed plan, and accepts it; the executive sees NPS and the response rate on the KPI page."""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import Topic
from surveys import proposals
from tests.browser.session import log_in
from tests.factories import AccountFactory, DepartmentFactory
from tests.surveys.answered import answer, campaign, invite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _templates() -> None:
    """A transactional test empties every table when it ends: the shipped surveys come back as migrated."""
    from django.apps import apps

    from surveys.models import SurveyTemplate

    if not SurveyTemplate.objects.exists():
        importlib.import_module("surveys.migrations.0002_default_templates").create_default_templates(apps, None)


def test_the_account_manager_sees_the_declined_dimension_and_accepts_its_proposed_plan(
    page: Any, alice: Any, artifacts: Path
) -> None:
    DepartmentFactory.create(name="Quality", slug="quality")
    account = AccountFactory.create(owner=alice, name="Delta Drives")
    answer(account, year=2025, scores={Topic.DELIVERY: 5, Topic.QUALITY: 4}, recommend=9)
    answer(account, year=2026, scores={Topic.DELIVERY: 2, Topic.QUALITY: 4}, recommend=6)
    proposals.propose_plans(account_ids=[account.pk], now=timezone.now())

    log_in(page, "alice@example.com")
    page.goto(f"/accounts/{account.pk}/")
    page.get_by_text("Proposed plan: Delivery fell from 5.0 to 2.0").wait_for()  # on the account's timeline
    page.get_by_text("· would recommend 6/10").wait_for()  # and the answers themselves, score by score
    expect(page.get_by_text("Delivery: 2/5")).to_be_visible()
    page.get_by_role("link", name="Year over year").click()
    page.get_by_role("heading", name="Year over year: Delta Drives").wait_for()
    proposal = page.get_by_test_id("proposal")
    expect(proposal).to_contain_text("Delivery: 5.0 → 2.0")
    expect(proposal).to_contain_text("Owner Alice Account · Quality")
    expect(page.get_by_role("row", name="Delivery")).to_contain_text("declined")
    assert page.evaluate("!!window.Chart && !!window.Chart.getChart(document.querySelector('canvas'))")
    page.screenshot(path=str(artifacts / "year-over-year.png"), full_page=True)

    proposal.get_by_role("button", name="Accept plan").click()
    page.get_by_role("heading", name="Delivery: satisfaction fell from 5.0 to 2.0").wait_for()  # the plan's page


def test_the_executive_sees_nps_and_response_rate_on_the_kpi_page(page: Any, erin: Any, artifacts: Path) -> None:
    recently = timezone.now() - timedelta(hours=3)
    for recommend in (10, 9, 4):
        answer(AccountFactory.create(), year=2026, recommend=recommend, choose_again=True, submitted_at=recently)
    invite(AccountFactory.create(), campaign(year=2026), sent_at=recently)  # invited, not answered yet
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, "erin@example.com")
    page.goto("/kpis/")
    page.get_by_role("heading", name="Net Promoter Score").wait_for()

    assert page.get_by_test_id("kpi-nps").inner_text() == "+33"  # (2 promoters − 1 detractor) / 3
    assert page.get_by_test_id("kpi-survey_response_rate").inner_text() == "75 %"  # 3 of 4 invited
    expect(page.locator("canvas[data-chart]")).to_have_count(9)  # the five KPIs and the four survey ones
    assert errors == []
    page.screenshot(path=str(artifacts / "kpis-with-surveys.png"), full_page=True)
