"""Nothing typed is lost (issue 14, item 1), in Chromium at desktop and phone width, on the demo data: every edit
form saved unchanged leaves its record as it was, and a typed next-contact date moves the account in "who to
call next" while an empty one shows, and then applies, the tier's cadence.

Decided: an unchanged save writes nothing. No new version (the API's ETag stays valid for everyone else), no
history row, no `updated_at`; a plan's escalation clock is not restarted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import Account, CustomerContact, PriorityChange, PriorityCriterion, TierRule
from actionplans.models import ActionPlan
from feedback.models import ContactLog
from organization.models import User
from tests.browser.main_pages import seed_demo
from tests.browser.session import log_in_as_demo as log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


def record(obj: models.Model) -> dict[str, Any]:
    """Every stored value of the row, its many-to-many ids and how many history rows it has."""
    obj.refresh_from_db()
    values: dict[str, Any] = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    history = getattr(obj, "history", None)
    values["history rows"] = history.count() if history is not None else None
    return values


def priorities() -> dict[str, Any]:
    return {
        "rules": list(TierRule.objects.order_by("tier").values()),
        "criteria": list(PriorityCriterion.objects.order_by("pk").values()),
        "criteria history": PriorityCriterion.history.count(),
        "changes": PriorityChange.objects.count(),
        "accounts": list(
            Account.objects.order_by("pk").values_list("pk", "score", "rank", "tier", "next_contact_due", "updated_at")
        ),
    }


def save_unchanged(page: Any, path: str, button: str) -> None:
    page.goto(path)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(lambda url: not url.endswith(path))


@pytest.mark.parametrize("width", WIDTHS)
def test_saving_every_edit_form_unchanged_changes_nothing(page: Any, width: int, artifacts: Path) -> None:
    seed_demo()
    page.set_viewport_size({"width": width, "height": 900})
    log = ContactLog.objects.filter(author__email="alice@example.com").order_by("-occurred_at").first()
    assert log is not None
    # Every field the form shows holds something: a date (rendered "01/01/2027" it came back empty), multi-line
    # text (browsers send CRLF), topics in an order other than the form's.
    ContactLog.objects.filter(pk=log.pk).update(
        next_contact_on=timezone.localdate() + timedelta(days=10),
        rating=4,
        rating_comment="Better than last year.\nStill slow on spare parts.",
        topics=["quality", "delivery"],
    )
    account = next(a for a in Account.objects.filter(contacts__isnull=False).distinct() if a.needs and a.wants)
    contact = CustomerContact.objects.filter(account=account).first()
    plan = ActionPlan.objects.filter(promise_on__isnull=False).first()
    assert contact is not None and plan is not None
    before = [record(log), record(account), record(contact), record(plan), priorities()]

    log_in(page, "alice@example.com")  # only the author edits a log, within 24 hours
    page.goto(f"/feedback/logs/{log.pk}/edit/")
    assert page.get_by_label("Next contact").input_value() == before[0]["next_contact_on"].isoformat()
    page.screenshot(path=str(artifacts / f"log-edit-unchanged-{width}.png"), full_page=True)
    save_unchanged(page, f"/feedback/logs/{log.pk}/edit/", "Save")

    log_in(page, "admin@example.com")
    save_unchanged(page, f"/accounts/{account.pk}/edit/", "Save")
    save_unchanged(page, f"/accounts/{account.pk}/contacts/{contact.pk}/edit/", "Save")
    save_unchanged(page, f"/plans/{plan.pk}/edit/", "Save plan")
    save_unchanged(page, "/accounts/priority/", "Save and re-rank")

    after = [record(log), record(account), record(contact), record(plan), priorities()]
    for name, old, new in zip(["log", "account", "contact", "plan", "priority settings"], before, after, strict=True):
        assert new == old, name


@pytest.mark.parametrize("width", WIDTHS)
def test_a_typed_next_contact_date_moves_the_account_in_who_to_call_next(
    page: Any, width: int, artifacts: Path
) -> None:
    seed_demo()
    page.set_viewport_size({"width": width, "height": 900})
    alice = User.objects.get(email="alice@example.com")
    today = timezone.localdate()
    due = list(account_selectors.call_next_for_user(user=alice, today=today))
    # The list is by tier, then due date: the most urgent account with an overdue one of its tier behind it.
    typed = next(a for i, a in enumerate(due) if any(b.tier == a.tier for b in due[i + 1 :]))
    empty = next(a for a in reversed(due) if a.tier != typed.tier)
    log_in(page, "alice@example.com")
    page.goto("/accounts/call-next/")
    rows = page.locator("#call-next-rows a.list-group-item strong")
    assert rows.all_inner_texts() == [a.name for a in due][: rows.count()]
    assert typed.name in rows.all_inner_texts()

    # The first: a date typed three days ahead. The form shows the cadence's date until one is typed.
    page.goto(f"/feedback/log/?account={typed.pk}")
    cadence = account_selectors.next_contact_after(tier=typed.tier, occurred_at=timezone.now())
    hint = page.get_by_test_id("next-contact-default")
    assert hint.inner_text() == f"· next contact {cadence:%-d %b %Y} unless you choose a date"
    page.get_by_text("Phone", exact=True).click()
    page.get_by_text("Delivery", exact=True).click()
    page.get_by_label("What the customer said").fill("Call me again on Friday about the new depot.")
    page.get_by_text("When, who else, next contact").click()
    chosen = today + timedelta(days=3)
    page.get_by_label("Next contact").fill(chosen.isoformat())
    page.screenshot(path=str(artifacts / f"quick-log-next-contact-{width}.png"), full_page=True)
    page.get_by_role("button", name="Save conversation").click()
    page.get_by_text(f"Conversation with {typed.name} logged").wait_for()

    # The second: nothing typed, so the tier's cadence (at least two weeks) takes it off the list.
    page.goto(f"/feedback/log/?account={empty.pk}")
    page.get_by_text("Phone", exact=True).click()
    page.get_by_text("Delivery", exact=True).click()
    page.get_by_label("What the customer said").fill("All fine, speak in a few months.")
    page.get_by_role("button", name="Save conversation").click()
    page.get_by_text(f"Conversation with {empty.name} logged").wait_for()

    typed.refresh_from_db()
    empty.refresh_from_db()
    assert typed.next_contact_due == chosen
    assert empty.last_contact_at is not None
    assert empty.next_contact_due == account_selectors.next_contact_after(
        tier=empty.tier, occurred_at=empty.last_contact_at
    )
    now_due = [a.name for a in account_selectors.call_next_for_user(user=alice, today=today)]
    assert now_due.index(typed.name) > [a.name for a in due].index(typed.name)  # moved down: due in 3 days
    assert empty.name not in now_due
    page.goto("/accounts/call-next/")
    assert rows.all_inner_texts() == now_due[: rows.count()]
    row = page.locator("#call-next-rows a.list-group-item").filter(has_text=typed.name)
    assert "due in 3 days" in row.inner_text()
    page.screenshot(path=str(artifacts / f"call-next-after-typed-date-{width}.png"), full_page=True)
