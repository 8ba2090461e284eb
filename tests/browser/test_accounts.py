from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import AccountScore
from tests.browser.session import log_in
from tests.factories import AccountFactory, CriterionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_customers() -> None:
    revenue = CriterionFactory.create(name="Revenue", weight=Decimal("3"))
    growth = CriterionFactory.create(name="Growth", weight=Decimal("1"))
    for name, r, g in [("Cash Cow Industries", "9", "2"), ("Rising Star Systems", "3", "9")]:
        account = AccountFactory.create(name=name, needs=["Shorter lead times"], wants=["Executive attention"])
        AccountScore.objects.create(account=account, criterion=revenue, value=Decimal(r))
        AccountScore.objects.create(account=account, criterion=growth, value=Decimal(g))
    services.recompute_priorities(changed_by=None, now=timezone.now())


def first_row(page: Any) -> str:
    return str(page.locator("#account-rows tbody tr").first.locator("td").nth(1).locator("a").inner_text())


def test_an_executive_reweights_previews_saves_and_the_order_changes(
    page: Any, erin: Any, two_customers: None, artifacts: Path
) -> None:
    log_in(page, "erin@example.com")
    page.goto("/accounts/")
    assert first_row(page) == "Cash Cow Industries"  # (3×9 + 1×2) / 4 = 7.25 against (9 + 9) / 4 = 4.50
    page.get_by_role("link", name="Priority settings").click()
    page.get_by_label("Revenue").fill("1")
    page.get_by_label("Growth").fill("3")  # now 3.75 against 7.50
    page.get_by_role("button", name="Preview changes").click()
    preview = page.locator("#preview")
    preview.get_by_text("2 accounts would change tier").wait_for()
    page.screenshot(path=str(artifacts / "priority-settings-preview.png"), full_page=True)
    page.get_by_role("button", name="Save and re-rank").click()
    page.get_by_text("every account has been re-ranked").wait_for()
    assert first_row(page) == "Rising Star Systems"


def test_the_account_pages_at_desktop_and_phone_width(
    page: Any, alice: Any, two_customers: None, artifacts: Path
) -> None:
    log_in(page, "alice@example.com")
    for width, height, suffix in [(1280, 800, "desktop"), (375, 740, "phone")]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/accounts/")
        page.screenshot(path=str(artifacts / f"account-list-{suffix}.png"), full_page=True)
        page.get_by_role("link", name="Rising Star Systems").click()
        page.get_by_role("heading", name="Why this rank").wait_for()
        page.screenshot(path=str(artifacts / f"account-detail-{suffix}.png"), full_page=True)


def test_filtering_the_list_swaps_rows_without_a_reload(page: Any, alice: Any, two_customers: None) -> None:
    log_in(page, "alice@example.com")
    page.goto("/accounts/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Name or external id").fill("Rising")
    page.wait_for_url("**/accounts/?*q=Rising*")
    page.locator("#account-rows tbody tr").nth(0).get_by_role("link", name="Rising Star Systems").wait_for()
    assert page.locator("#account-rows tbody tr").count() == 1
    assert page.evaluate("window.notReloaded") is True
