from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_demo_user_logs_in_and_sees_the_home_page(page: Any, alice: Any, artifacts: Path) -> None:
    page.goto("/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Good to see you, Alice").wait_for()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").is_visible()
    page.screenshot(path=str(artifacts / "home-desktop.png"), full_page=True)


def test_the_navigation_collapses_into_a_menu_at_phone_width(page: Any, alice: Any, artifacts: Path) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/login/")
    page.screenshot(path=str(artifacts / "login-phone.png"), full_page=True)
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    accounts = page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts")
    assert not accounts.is_visible()
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").wait_for(state="visible")
    page.wait_for_timeout(400)  # let the collapse animation finish so the screenshot shows the whole menu
    page.screenshot(path=str(artifacts / "home-phone-menu.png"), full_page=True)
