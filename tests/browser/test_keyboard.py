from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from feedback.models import ContactLog
from tests.browser.session import log_in
from tests.factories import AccountFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Keys:
    """Counts what the user does on the keyboard: every key press is one action, and typing a word or a sentence
    into the focused field is one action too (as `fill` is for the pointer in test_quick_log's Actions)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.count += 1
        self.page.keyboard.type(text)


def focused(page: Any, attribute: str = "id") -> str:
    return str(page.evaluate(f"document.activeElement && document.activeElement.getAttribute('{attribute}')"))


@pytest.mark.parametrize("width", [1280, 375])
def test_the_routine_call_with_one_issue_takes_at_most_10_keys_after_l_on_the_account_page(
    page: Any, alice: Any, engineering: Any, width: int, artifacts: Path
) -> None:
    """Keys counted after `L`: each key press is one (Tab, Enter, Alt+I, Ctrl+Enter), and typing a word or a
    sentence into the focused field is one (as `fill` is); no click anywhere."""
    page.set_viewport_size({"width": width, "height": 800})
    DepartmentFactory.create(name="Billing", slug="billing")
    account = AccountFactory.create(name="Rising Star Systems", owner=alice)
    log_in(page, "alice@example.com")
    page.goto(f"/accounts/{account.pk}/")

    page.keyboard.press("l")  # on an account page: the quick log for that account
    page.locator("#picked-account").wait_for()
    assert page.locator("#picked-account").inner_text() == "Rising Star Systems"
    keys = Keys(page)
    keys.type("Phone")  # focus starts on the channel; typing a choice's name picks it
    keys.press("Tab")  # the topics: one Tab stop
    keys.type("Delivery")
    keys.press("Tab")
    keys.type("Deliveries are on time, but the pump overheats at full load.")
    keys.press("Alt+I")  # adds an issue row and focuses its department (the severity has a default)
    page.locator("#issue-row-0").wait_for()
    expect(page.locator("[name=issues-0-department]")).to_be_focused()
    keys.type("Engineering")
    keys.press("Tab")
    keys.type("The pump overheats at full load in summer; we lose a shift.")
    keys.press("Control+Enter")
    page.get_by_text("Conversation with Rising Star Systems logged; 1 issue routed.").wait_for()
    page.screenshot(path=str(artifacts / f"keyboard-routine-call-{width}.png"))

    assert keys.count <= 10
    log = ContactLog.objects.get(account=account)
    assert (log.channel, log.topics) == ("phone", ["delivery"])
    assert log.summary == "Deliveries are on time, but the pump overheats at full load."
    issue = log.issues.get()
    assert (issue.department, issue.severity) == (engineering, "medium")
    assert issue.verbatim == "The pump overheats at full load in summer; we lose a shift."


def test_the_account_picker_is_a_combobox_driven_by_arrows_enter_and_escape(page: Any, alice: Any) -> None:
    for name in ("Rising Star Systems", "Rising Tide Logistics", "Risk Partners"):
        AccountFactory.create(name=name, owner=alice)
    log_in(page, "alice@example.com")
    page.goto("/accounts/")
    page.keyboard.press("l")  # not an account page: the quick log with no account
    combobox = page.get_by_role("combobox", name="Account")
    combobox.wait_for()
    assert focused(page) == "account_q"
    assert combobox.get_attribute("aria-expanded") == "false"
    listbox_id = combobox.get_attribute("aria-controls")

    page.keyboard.type("Ris")
    page.get_by_role("option", name="Risk Partners").wait_for()
    options = page.get_by_role("listbox").get_by_role("option")
    assert page.locator(f"#{listbox_id}").get_attribute("role") == "listbox"
    assert combobox.get_attribute("aria-expanded") == "true"
    first, second = options.nth(0).get_attribute("id"), options.nth(1).get_attribute("id")
    assert combobox.get_attribute("aria-activedescendant") == first  # the first match is active at once
    page.keyboard.press("ArrowDown")
    assert combobox.get_attribute("aria-activedescendant") == second
    assert options.nth(1).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowUp")
    assert combobox.get_attribute("aria-activedescendant") == first
    page.keyboard.press("ArrowUp")  # wraps to the last
    assert combobox.get_attribute("aria-activedescendant") == options.nth(2).get_attribute("id")

    page.keyboard.press("Escape")  # closes the list, keeps the text
    assert combobox.get_attribute("aria-expanded") == "false"
    assert page.get_by_role("listbox").count() == 0
    assert combobox.input_value() == "Ris"
    assert combobox.get_attribute("aria-activedescendant") is None

    page.keyboard.press("Enter")  # with the list closed: nothing is sent, nothing is lost
    assert page.url.endswith("/feedback/log/")
    assert combobox.input_value() == "Ris"
    assert page.get_by_role("alert").count() == 0

    page.keyboard.press("ArrowDown")  # reopens on the first match
    assert combobox.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    picked_name = page.locator(f"#{combobox.get_attribute('aria-activedescendant')}").inner_text()
    page.keyboard.press("Enter")
    page.locator("#picked-account").wait_for()
    assert page.locator("#picked-account").inner_text() in picked_name
    assert page.url.endswith("/feedback/log/")  # picked, not submitted
    assert page.evaluate("document.activeElement.name") == "channel"  # on to the next field


def test_enter_in_the_account_field_never_submits_and_a_failed_save_keeps_the_typed_name(page: Any, alice: Any) -> None:
    log_in(page, "alice@example.com")
    page.goto("/feedback/log/")
    combobox = page.get_by_role("combobox", name="Account")
    combobox.fill("Nobody By This Name")
    page.get_by_role("option", name="No account matches").wait_for()
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").count() == 0  # no half-filled form was sent
    assert combobox.input_value() == "Nobody By This Name"

    page.get_by_role("button", name="Save conversation").click()  # sent on purpose, without an account
    page.get_by_role("alert").wait_for()
    assert page.get_by_role("combobox", name="Account").input_value() == "Nobody By This Name"


def test_change_next_to_a_picked_account_keeps_what_was_already_typed(page: Any, alice: Any) -> None:
    account = AccountFactory.create(name="Rising Star Systems", owner=alice)
    log_in(page, "alice@example.com")
    page.goto(f"/feedback/log/?account={account.pk}")
    page.get_by_label("What the customer said").fill("All good this quarter.")
    page.get_by_role("link", name="Change the account").click()

    combobox = page.get_by_role("combobox", name="Account")
    combobox.wait_for()
    assert focused(page) == "account_q"
    assert page.get_by_label("What the customer said").input_value() == "All good this quarter."
    page.keyboard.type("Risi")
    page.get_by_role("option", name="Rising Star Systems").wait_for()
    page.keyboard.press("Enter")
    page.locator("#picked-account").wait_for()


def test_l_on_an_account_page_opens_the_quick_log_for_that_account(page: Any, alice: Any) -> None:
    account = AccountFactory.create(name="Rising Star Systems", owner=alice)
    log_in(page, "alice@example.com")
    page.goto(f"/accounts/{account.pk}/")
    page.keyboard.press("L")
    page.wait_for_url(f"**/feedback/log/?account={account.pk}")
    assert page.locator("#picked-account").inner_text() == "Rising Star Systems"


def test_focus_is_visible_on_every_control_the_keyboard_reaches(page: Any, alice: Any) -> None:
    UserFactory.create(email="eddie@example.com")
    log_in(page, "alice@example.com")
    page.goto("/feedback/log/")
    missing: list[str] = []
    for _ in range(40):  # round the whole page and the navbar
        page.keyboard.press("Tab")
        outline = page.evaluate(
            """() => {
              const el = document.activeElement;
              const target = el.matches('.btn-check') ? el.nextElementSibling : el;
              const style = getComputedStyle(target);
              return [el.tagName + '#' + (el.id || el.name || el.textContent.trim().slice(0, 20)),
                      style.outlineStyle, parseFloat(style.outlineWidth)];
            }"""
        )
        if outline[0].startswith("BODY"):
            continue  # past the last control, focus is in the browser's own UI
        if outline[1] == "none" or outline[2] < 2:
            missing.append(str(outline))

    assert missing == [], "\n".join(missing)
