from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.main_pages import DEMO_ROLES, main_pages, seed_demo
from tests.browser.session import log_in_as_demo as log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def test_no_main_page_scrolls_sideways_at_phone_width_for_any_demo_role(
    browser: Any, live_server: Any, artifacts: Path
) -> None:
    seed_demo()
    pages = main_pages()
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    too_wide: list[str] = []
    for email in DEMO_ROLES:
        log_in(page, email)
        for name, path in pages:
            page.goto(path)
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                too_wide.append(f"{email} {name} ({path}): {width[0]} > {width[1]}")
                page.screenshot(path=str(artifacts / f"too-wide-{name.replace(' ', '-')}.png"), full_page=True)
    context.close()

    assert too_wide == []


def test_at_phone_width_the_quick_log_and_the_bell_stay_outside_the_collapsed_menu(
    browser: Any, live_server: Any
) -> None:
    from organization.models import Notification, User

    seed_demo()
    bob = User.objects.get(email="bob@example.com")
    Notification.objects.create(
        user=bob,
        kind="issue_routed",
        title="A new issue for Engineering",
        url="/feedback/inbox/",
        dedupe_key="phone-width-test",
    )
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    log_in(page, "bob@example.com")

    assert page.get_by_role("button", name="Toggle navigation").is_visible()
    assert page.get_by_role("link", name="Accounts").is_hidden()  # the menu is collapsed
    assert page.get_by_role("link", name="Log a conversation").is_visible()
    bell = page.get_by_role("link", name="Notifications")
    assert bell.is_visible()
    assert page.get_by_test_id("unread-count").is_visible()
    assert bell.bounding_box()["y"] < 60  # on the navbar's first line, not below it
    context.close()


def test_what_i_owe_shows_due_promised_and_status_at_phone_width(browser: Any, live_server: Any) -> None:
    seed_demo()
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    log_in(page, "alice@example.com")  # the demo's account manager owns plans
    page.goto("/plans/mine/")
    first = page.locator(".table-stack tbody tr").first

    for label in ("Due", "Promised", "Status"):
        cell = first.locator(f'td[data-label="{label}"]')
        assert cell.is_visible(), label
        box = cell.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], label
    context.close()


def test_at_desktop_width_the_log_button_keeps_one_line_and_the_search_placeholder_fits(
    browser: Any, live_server: Any
) -> None:
    seed_demo()
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    log_in(page, "alice@example.com")

    button = page.get_by_role("link", name="Log a conversation")
    line_height = button.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
    padding = button.evaluate(
        "b => parseFloat(getComputedStyle(b).paddingTop) + parseFloat(getComputedStyle(b).paddingBottom)"
    )
    assert button.bounding_box()["height"] <= line_height + padding + 4  # one line of text
    search = page.get_by_role("searchbox", name="Search conversations and issues")
    fits = search.evaluate(
        """input => {
          const style = getComputedStyle(input);
          const canvas = document.createElement('canvas').getContext('2d');
          canvas.font = style.font;
          const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return canvas.measureText(input.placeholder).width <= room;
        }"""
    )
    assert fits
    context.close()


def test_a_long_unbroken_title_wraps_at_phone_width(browser: Any, live_server: Any, alice: Any) -> None:
    from tests.factories import PASSWORD, AccountFactory

    account = AccountFactory.create(owner=alice, name="Supercalifragilistic" * 5)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"/accounts/{account.pk}/")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    heading = page.get_by_role("heading", level=1)
    assert heading.bounding_box()["width"] <= PHONE["width"]
    context.close()
