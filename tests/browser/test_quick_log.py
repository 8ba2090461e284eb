from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.session import log_in
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Actions:
    """Counts what the user does: every click, fill and key press is one action."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def click(self, locator: Any) -> None:
        self.count += 1
        locator.click()

    def fill(self, locator: Any, text: str) -> None:
        self.count += 1
        locator.fill(text)

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)


def test_a_routine_call_takes_at_most_8_actions_and_issues_reach_the_department(
    page: Any, browser: Any, live_server: Any, alice: Any, engineering: Any, artifacts: Path
) -> None:
    account = AccountFactory.create(name="Rising Star Systems", owner=alice)
    UserFactory.create(email="eddie@example.com", full_name="Eddie Engineer", department=engineering)
    log_in(page, "alice@example.com")
    page.goto("/accounts/")  # any page

    user = Actions(page)
    user.press("l")  # the keyboard shortcut opens the quick log
    user.fill(page.get_by_role("combobox", name="Account"), "Rising")
    user.click(page.get_by_role("option", name="Rising Star Systems"))
    user.click(page.get_by_text("Phone", exact=True))
    user.click(page.get_by_text("Delivery", exact=True))
    user.fill(page.get_by_label("What the customer said"), "Deliveries have been on time all quarter, thank you.")
    user.click(page.get_by_text("4", exact=True))
    user.click(page.get_by_role("button", name="Save conversation"))
    page.get_by_text("Conversation with Rising Star Systems logged").wait_for()
    assert user.count <= 8
    assert page.url.endswith(f"/accounts/{account.pk}/")
    page.locator("#timeline").get_by_text("Deliveries have been on time all quarter").wait_for()
    page.screenshot(path=str(artifacts / "timeline-after-quick-log.png"), full_page=True)

    # A second conversation raises an issue for Engineering, in the customer's words.
    page.get_by_role("link", name="Log a conversation").last.click()
    page.get_by_text("Video", exact=True).click()
    page.get_by_text("Product performance", exact=True).click()
    page.get_by_label("What the customer said").fill("The pump overheats at full load in summer.")
    page.get_by_role("button", name="Add an issue").click()
    row = page.locator("#issue-row-0")
    row.get_by_label("Severity").select_option("high")
    row.get_by_label("Department").select_option(label="Engineering")
    row.get_by_label("The customer's words").fill("The pump overheats at full load in summer; we lose a shift.")
    page.screenshot(path=str(artifacts / "quick-log-with-issue.png"), full_page=True)
    page.get_by_role("button", name="Save conversation").click()
    page.get_by_text("1 issue routed").wait_for()

    engineer = browser.new_context(base_url=live_server.url).new_page()
    log_in(engineer, "eddie@example.com")
    assert engineer.get_by_test_id("unread-count").inner_text() == "1"
    engineer.get_by_role("link", name="Inbox", exact=True).click()
    engineer.get_by_text("The pump overheats at full load in summer; we lose a shift.").wait_for()
    engineer.screenshot(path=str(artifacts / "inbox.png"), full_page=True)
