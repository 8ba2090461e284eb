from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from actionplans.models import ActionPlan, PlanStatus
from feedback.models import IssueStatus
from tests.browser.session import log_in
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    IssueFactory,
    PlanStepFactory,
    days_from_today,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = "The pump overheats at full load in summer; we lose a shift."


def test_a_department_member_plans_an_issue_promises_a_date_and_resolves_it(
    page: Any, alice: Any, bob: Any, engineering: Any, artifacts: Path
) -> None:
    account = AccountFactory.create(name="Rising Star Systems", owner=alice)
    issue = IssueFactory.create(account=account, contact_log__account=account, department=engineering, verbatim=WORDS)
    # Something else Bob owes, so the what-I-owe page has more than one group to show.
    other = ActionPlanFactory.create(title="Send the revised invoice", owner=bob, department=engineering, overdue=True)
    PlanStepFactory.create(plan=other, title="Check the credit note", assignee=bob, due_on=days_from_today(-1))
    log_in(page, "bob@example.com")

    # Click 1: from the inbox card, the plan exists with the customer's words and the complaint steps.
    page.get_by_role("link", name="Inbox", exact=True).click()
    page.get_by_text(WORDS).wait_for()
    page.screenshot(path=str(artifacts / "inbox-create-plan.png"), full_page=True)
    page.get_by_role("article").filter(has_text=WORDS).get_by_role("button", name="Create plan").click()
    page.get_by_text("Plan created").wait_for()
    plan = ActionPlan.objects.get(issues=issue)
    assert page.url.endswith(f"/plans/{plan.pk}/")
    assert page.get_by_test_id("promise").inner_text().startswith("No promise yet")

    # Click 2: the promise date we tell the customer.
    promise = days_from_today(5)
    page.get_by_label("Promise date").fill(promise.isoformat())
    page.get_by_role("button", name="Save plan").click()
    page.get_by_text("Plan saved.").wait_for()
    assert "told" in page.get_by_test_id("promise").inner_text()

    # Steps tick off in place (htmx swaps the row).
    page.get_by_role("checkbox", name="Listen").click()
    page.locator("[role=checkbox][aria-checked=true]", has_text="✓").first.wait_for()
    assert page.get_by_role("checkbox", name="Listen").get_attribute("aria-checked") == "true"
    page.get_by_role("checkbox", name="Acknowledge").click()
    expect(page.locator("[role=checkbox][aria-checked=true]")).to_have_count(2)
    page.screenshot(path=str(artifacts / "plan-detail.png"), full_page=True)

    page.get_by_role("link", name="Plans", exact=True).click()
    page.get_by_role("heading", name="What I owe customers").wait_for()
    assert page.locator("#promises-at-risk").get_by_text(plan.title).is_visible()
    assert page.locator("#overdue").get_by_role("row", name="Check the credit note").is_visible()
    page.screenshot(path=str(artifacts / "what-i-owe.png"), full_page=True)

    # Resolving needs a resolution: first the error, then the plan resolved.
    page.locator("#promises-at-risk").get_by_role("link", name=plan.title).click()
    page.get_by_label("New status").select_option(label="Resolved")
    page.get_by_role("button", name="Change status").click()
    page.get_by_text("Say how it was resolved.").wait_for()
    page.get_by_label("Resolution").fill("Fitted the larger cooling fan on both pumps; tested at full load.")
    page.get_by_role("button", name="Change status").click()
    page.get_by_text("Status: Resolved.").wait_for()
    assert page.get_by_test_id("sla-clock").inner_text().startswith("■ Stopped")
    page.screenshot(path=str(artifacts / "plan-detail-resolved.png"), full_page=True)

    plan.refresh_from_db()
    issue.refresh_from_db()
    assert (plan.status, issue.status) == (PlanStatus.RESOLVED, IssueStatus.RESOLVED)

    # The account's timeline tells the story.
    page.get_by_role("link", name="Rising Star Systems").first.click()
    page.locator("#timeline").get_by_text(f"Plan: {plan.title} · Resolved").wait_for()

    page.goto("/plans/?status=all")
    page.get_by_role("heading", name="Plans").wait_for()
    page.screenshot(path=str(artifacts / "plan-list.png"), full_page=True)
