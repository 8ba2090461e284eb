"""Issue 17's scenario in a browser: the owner schedules a joint review of a Strategic account, two colleagues
from other departments open the same pack, the owner records two decisions and makes them plans, and the plans
show on the account's timeline and in each colleague's "what I owe"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Tier
from organization.models import Role
from reviews.models import AccountReview
from tests.browser.session import log_in
from tests.factories import AccountFactory, ContactFactory, ContactLogFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_joint_review_from_scheduling_to_plans_in_what_i_owe(
    page: Any, alice: Any, bob: Any, engineering: Any, artifacts: Path
) -> None:
    quality = DepartmentFactory.create(name="Quality", slug="quality")
    UserFactory.create(email="carol@example.com", full_name="Carol Quality", role=Role.STAFF, department=quality)
    account = AccountFactory.create(name="Northwind Turbines", owner=alice, tier=Tier.STRATEGIC)
    ContactFactory.create(account=account, name="Pat Purchaser")
    ContactLogFactory.create(account=account, author=alice, summary="They want quarterly quality figures.", rating=3)
    log_in(page, "alice@example.com")

    # The owner schedules the review from the account page, inviting two colleagues and the customer's buyer.
    page.goto(f"/accounts/{account.pk}/")
    page.get_by_role("link", name="Schedule a review").click()
    when = timezone.localtime() + timedelta(days=2)
    page.get_by_label("When").fill(when.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Our attendees").select_option(label=["Bob Builder (Engineering)", "Carol Quality (Quality)"])
    page.get_by_label("The customer's attendees").select_option(label="Pat Purchaser")
    page.get_by_role("button", name="Schedule the review").click()
    page.get_by_text("the attendees were told").wait_for()
    review = AccountReview.objects.get(account=account)
    pack_url = f"/reviews/{review.pk}/"
    assert page.url.endswith(pack_url)

    # Both colleagues, from other departments, open the same pack from their notification's link.
    packs = []
    for email in ("bob@example.com", "carol@example.com"):
        log_in(page, email)
        page.goto("/notifications/")
        page.get_by_role("link", name="Joint review of Northwind Turbines").first.click()
        page.get_by_role("heading", name="Joint review of Northwind Turbines").wait_for()
        assert page.url.endswith(pack_url)
        packs.append(page.get_by_test_id("pack-conversation-count").inner_text())
        assert page.get_by_text("Pat Purchaser").first.is_visible()
    assert packs[0] == packs[1] == "1 conversation, average rating 3.0 of 5 (1 rated)."
    page.screenshot(path=str(artifacts / "review-pack.png"), full_page=True)

    # The owner starts the review and records two decisions, each made a plan with one click.
    log_in(page, "alice@example.com")
    page.goto(pack_url)
    page.get_by_role("button", name="Start the review (freeze the pack)").click()
    page.get_by_text("the pack is frozen").wait_for()
    promise = (timezone.localdate() + timedelta(days=30)).isoformat()
    for text, owner, department in (
        ("Send an engineer to inspect the turbines", "Bob Builder", "Engineering"),
        ("Share the quality figures every quarter", "Carol Quality", "Quality"),
    ):
        form = page.get_by_role("form", name="Record a decision")
        form.get_by_label("Decision").fill(text)
        form.get_by_label("Owner").select_option(label=owner)
        form.get_by_label("Department").select_option(label=department)
        form.get_by_label("Promise date").fill(promise)
        page.get_by_role("button", name="Record the decision").click()
        page.get_by_text("Decision recorded.").wait_for()
        page.get_by_test_id("review-decisions").get_by_role("listitem").filter(has_text=text).get_by_role(
            "button", name="Make a plan"
        ).click()
        page.get_by_text("made for").wait_for()
    page.screenshot(path=str(artifacts / "review-decisions.png"), full_page=True)

    # The plans are on the account's timeline...
    page.goto(f"/accounts/{account.pk}/")
    page.get_by_text("Send an engineer to inspect the turbines").first.wait_for()
    assert page.get_by_text("Share the quality figures every quarter").first.is_visible()

    # ...and in each colleague's "what I owe".
    for email, title in (
        ("bob@example.com", "Send an engineer to inspect the turbines"),
        ("carol@example.com", "Share the quality figures every quarter"),
    ):
        log_in(page, email)
        page.goto("/plans/mine/")
        page.get_by_role("heading", name="What I owe customers").wait_for()
        assert page.get_by_role("link", name=title).first.is_visible()
