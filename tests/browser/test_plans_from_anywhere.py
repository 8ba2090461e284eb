"""Plans from anywhere (issue 14, item 5), in Chromium at desktop and phone width, on the demo data: "New plan"
from an account, the plan list and a conversation; an accepted hand-off keeps a planned issue planned; a
mis-logged conversation moves to the right account with its issues and its history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Account
from actionplans.models import ActionPlan
from feedback import services as feedback_services
from feedback.models import ContactLog, Issue, IssueStatus
from organization.models import User
from tests.browser.session import log_in_as_demo as log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


@pytest.mark.parametrize("demo", WIDTHS, indirect=True)
def test_a_new_plan_from_the_account_page_the_plan_list_and_a_conversation(demo: Any, artifacts: Path) -> None:
    page = demo
    width = page.viewport_size["width"]
    alice = User.objects.get(email="alice@example.com")
    account = Account.objects.filter(owner=alice).order_by("rank").first()
    assert account is not None
    due, promised = timezone.localdate() + timedelta(days=10), timezone.localdate() + timedelta(days=14)
    log_in(page, "alice@example.com")

    # From the account page: the account is chosen already.
    page.goto(f"/accounts/{account.pk}/")
    page.get_by_role("link", name="New plan").click()
    page.get_by_role("heading", name="New plan").wait_for()
    assert page.get_by_label("Account").input_value() == str(account.pk)
    page.get_by_label("Title").fill("Retrain the drivers at the new depot")
    page.get_by_label("Department").select_option(index=1)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_label("Promise date").fill(promised.isoformat())
    page.get_by_label("Steps").fill("Call the depot manager\nBook the training day")
    page.screenshot(path=str(artifacts / f"plan-new-{width}.png"), full_page=True)
    page.get_by_role("button", name="Create plan").click()
    page.get_by_text(f"Plan created for {account.name}.").wait_for()
    plan = ActionPlan.objects.get(title="Retrain the drivers at the new depot")
    assert (plan.account, plan.owner, plan.due_on, plan.promise_on) == (account, alice, due, promised)
    assert list(plan.steps.values_list("title", flat=True)) == ["Call the depot manager", "Book the training day"]
    assert page.url.endswith(f"/plans/{plan.pk}/")

    # From the plan list: the account is chosen on the form.
    page.goto("/plans/")
    page.get_by_role("link", name="New plan").click()
    page.get_by_role("heading", name="New plan").wait_for()
    assert page.get_by_label("Account").input_value() == ""

    # From a conversation: its account, and the customer's first words as the title.
    log = ContactLog.objects.filter(author=alice).order_by("-occurred_at").first()
    assert log is not None
    page.goto(f"/feedback/logs/{log.pk}/")
    page.get_by_role("link", name="New plan").click()
    page.get_by_role("heading", name="New plan").wait_for()
    assert page.get_by_label("Account").input_value() == str(log.account_id)
    assert page.get_by_label("Title").input_value() == log.summary.strip().split("\n")[0][:120]


@pytest.mark.parametrize("demo", WIDTHS, indirect=True)
def test_accepting_a_hand_off_keeps_a_planned_issue_planned_and_offers_no_new_plan(demo: Any) -> None:
    page = demo
    dana = User.objects.get(email="dana@example.com")
    assert dana.department is not None
    issue = (
        Issue.objects.filter(status=IssueStatus.PLANNED, account__is_confidential=False)
        .exclude(department=dana.department)
        .first()
    )
    assert issue is not None
    admin = User.objects.get(email="admin@example.com")
    feedback_services.hand_off_issue(
        issue=issue, to_department=dana.department, note="Yours to deliver.", by=admin, now=timezone.now()
    )
    log_in(page, "dana@example.com")
    page.goto(f"/feedback/issues/{issue.pk}/")
    page.get_by_role("button", name="Acknowledge the hand-off").click()
    page.get_by_text("Acknowledged:").wait_for()
    issue.refresh_from_db()
    assert (issue.department, issue.status) == (dana.department, IssueStatus.PLANNED)
    page.goto(f"/feedback/issues/{issue.pk}/")
    assert page.get_by_role("button", name="Create plan").count() == 0


@pytest.mark.parametrize("demo", WIDTHS, indirect=True)
def test_the_author_moves_a_mis_logged_conversation_to_the_right_account(demo: Any, artifacts: Path) -> None:
    page = demo
    width = page.viewport_size["width"]
    alice = User.objects.get(email="alice@example.com")
    log = (
        ContactLog.objects.filter(author=alice, issues__status__in=[IssueStatus.NEW, IssueStatus.ACKNOWLEDGED])
        .exclude(issues__status__in=[IssueStatus.PLANNED, IssueStatus.RESOLVED, IssueStatus.CLOSED])
        .first()
    )
    assert log is not None
    right = Account.objects.filter(owner=alice).exclude(pk=log.account_id).order_by("name").first()
    assert right is not None
    log_in(page, "alice@example.com")
    page.goto(f"/feedback/logs/{log.pk}/")
    page.get_by_label("Move to account").select_option(str(right.pk))
    page.screenshot(path=str(artifacts / f"log-move-{width}.png"), full_page=True)
    page.get_by_role("button", name="Move conversation and its issues").click()
    page.get_by_text(f"Conversation moved to {right.name}").wait_for()
    assert page.get_by_text(f"moved to {right.name}").count() >= 1  # the version, with its reason
    log.refresh_from_db()
    assert log.account == right
    assert set(log.issues.values_list("account", flat=True)) == {right.pk}
