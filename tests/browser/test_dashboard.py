from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Account, Tier
from dashboards import services
from tests.browser.session import log_in
from tests.factories import AccountFactory, ContactLogFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def three_tiers() -> None:
    for rank, (name, tier) in enumerate(
        [("Summit Strategic", Tier.STRATEGIC), ("Keel Key Works", Tier.KEY), ("Core Cables", Tier.CORE)], start=1
    ):
        account = AccountFactory.create(name=name)
        Account.objects.filter(pk=account.pk).update(rank=rank, tier=tier)
        ContactLogFactory.create(account=account, rating=4, summary=f"{name} says deliveries are on time now.")


def test_an_executive_filters_the_dashboard_by_tier_and_drills_down_to_an_account(
    page: Any, erin: Any, three_tiers: None, artifacts: Path
) -> None:
    log_in(page, "erin@example.com")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("heading", name="Priority accounts").wait_for()
    assert page.get_by_test_id("total-accounts").inner_text() == "3"

    page.get_by_label("Tier").select_option(label="Key")
    page.wait_for_url("**/dashboard/?*tier=2*")
    page.get_by_test_id("total-accounts").filter(has_text="1").wait_for()
    rows = page.locator("#priority-rows tbody tr")
    assert rows.count() == 1 and "Keel Key Works" in rows.first.inner_text()
    page.screenshot(path=str(artifacts / "dashboard-filtered.png"), full_page=True)

    page.get_by_role("link", name="Keel Key Works").click()
    page.get_by_role("heading", name="Keel Key Works").wait_for()
    page.get_by_text("Keel Key Works says deliveries are on time now.").wait_for()  # the account's timeline


def test_the_kpi_page_draws_a_chart_per_kpi_without_errors(page: Any, erin: Any, three_tiers: None) -> None:
    from django.utils import timezone

    services.rebuild_rollups()  # the fixture wrote its logs directly, as seed_demo does before it rebuilds
    services.backfill_kpi_snapshots(today=timezone.localdate())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "erin@example.com")
    page.goto("/kpis/")
    page.get_by_role("heading", name="Customer voice").wait_for()
    # The five KPIs, then the four survey figures (response rate, NPS, would choose again, satisfaction)
    expect(page.locator("canvas[data-chart]")).to_have_count(5 + 4)
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => window.Chart.getChart(c))"
    )
    assert drawn and errors == []
    assert page.get_by_test_id("kpi-customer_voice").inner_text() == "4.00 / 5"
