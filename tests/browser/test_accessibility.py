from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.main_pages import DEMO_ROLES, main_pages, seed_demo
from tests.browser.session import log_in_as_demo as log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').slice(0, 99)),
    }));
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_serious_or_critical_violation_on_any_main_page_for_any_demo_role(
    browser: Any, live_server: Any, width: int, artifacts: Path
) -> None:
    seed_demo()
    pages = main_pages()
    # axe is injected as a script tag: the page's CSP (script-src 'self') would refuse it, so this context bypasses
    # the CSP. tests/browser/test_csp.py checks the policy itself.
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    found: dict[str, Any] = {}
    for email in DEMO_ROLES:
        log_in(page, email)
        for name, path in pages:
            page.goto(path)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(RUN_AXE)
            if violations:
                found[f"{email} {name} ({path})"] = violations
    context.close()
    (artifacts / f"axe-{width}.json").write_text(json.dumps(found, indent=2))

    assert found == {}, json.dumps(found, indent=1)[:6000]
