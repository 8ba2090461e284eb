"""Logging in through the login page, as a person does: one helper for every browser test."""

from __future__ import annotations

from typing import Any

from kernel.seeding import DEMO_PASSWORD
from tests.factories import PASSWORD


def log_in(page: Any, email: str, *, password: str = PASSWORD, width: int | None = None) -> None:
    """Log in as `email` (a factory-made person, or pass `password`), at `width` px if given; the page ends on
    wherever the login led (the home page)."""
    page.context.clear_cookies()
    if width is not None:
        page.set_viewport_size({"width": width, "height": 800})
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def log_in_as_demo(page: Any, email: str, *, width: int | None = None) -> None:
    """Log in as one of seed_demo's people (alice@, bob@, dana@, erin@, admin@example.com)."""
    log_in(page, email, password=DEMO_PASSWORD, width=width)
