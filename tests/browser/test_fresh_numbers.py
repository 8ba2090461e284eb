"""Fresh numbers (issue 14, item 6), in Chromium at desktop and phone width, on the demo data: a logged call shows
on its account at once (last contact, due date, health and its signals), and the KPI page's headline is the
number its trend shows for this month."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accounts.models import Account
from dashboards.selectors import KPI_DEFINITIONS
from tests.browser.session import log_in_as_demo as log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


@pytest.mark.parametrize("demo", WIDTHS, indirect=True)
def test_a_logged_call_shows_on_its_account_at_once(demo: Any, artifacts: Path) -> None:
    page = demo
    width = page.viewport_size["width"]
    account = (
        Account.objects.filter(owner__email="alice@example.com", last_contact_at__isnull=False)
        .order_by("next_contact_due")
        .first()
    )
    assert account is not None and account.health_updated_at is not None
    before = account.health_updated_at
    log_in(page, "alice@example.com")
    page.goto(f"/accounts/{account.pk}/")
    assert "overdue" in page.locator(".due").first.inner_text()
    contact_signal = page.locator(".health-signals tr").filter(has_text="Contact within cadence")
    assert "last contact 0 days ago" not in contact_signal.inner_text()

    page.goto(f"/feedback/log/?account={account.pk}")
    page.get_by_text("Site visit", exact=True).click()
    page.get_by_text("Business relationship", exact=True).click()
    page.get_by_label("What the customer said").fill("Good to see you in person; the new contract suits us.")
    page.get_by_text("5", exact=True).click()
    page.get_by_role("button", name="Save conversation").click()
    page.get_by_text(f"Conversation with {account.name} logged").wait_for()

    assert page.url.endswith(f"/accounts/{account.pk}/")
    assert "overdue" not in page.locator(".due").first.inner_text()
    assert "last contact 0 days ago" in contact_signal.inner_text()
    account.refresh_from_db()
    assert account.health_updated_at is not None and account.health_updated_at > before
    assert page.locator(".health").first.get_attribute("title") == f"Account health {account.health} of 100"
    page.screenshot(path=str(artifacts / f"account-after-call-{width}.png"), full_page=True)


@pytest.mark.parametrize("demo", WIDTHS, indirect=True)
def test_the_kpi_headline_is_this_months_point_of_its_trend(demo: Any, artifacts: Path) -> None:
    page = demo
    width = page.viewport_size["width"]
    log_in(page, "erin@example.com")
    page.goto("/kpis/")
    assert page.get_by_role("link", name="This month").get_attribute("aria-current") == "page"
    for definition in KPI_DEFINITIONS:
        card = page.locator("section").filter(has=page.get_by_test_id(f"kpi-{definition.key}"))
        headline = card.get_by_test_id(f"kpi-{definition.key}").inner_text()
        this_month = card.locator(".table-kpi-trend tbody td").last.inner_text()
        assert headline == this_month, definition.key
    page.screenshot(path=str(artifacts / f"kpis-this-month-{width}.png"), full_page=True)
