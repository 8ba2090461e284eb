from __future__ import annotations

from typing import Any

import pytest

from tests.browser.main_pages import seed_demo


@pytest.fixture
def demo(page: Any, request: pytest.FixtureRequest) -> Any:
    """The browser page on the demo data (`seed_demo --seed 1`), at the width the test is parametrized with."""
    seed_demo()
    page.set_viewport_size({"width": request.param, "height": 900})
    return page
