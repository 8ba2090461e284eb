"""Pages offer only what the person may do (the policies decide), and a refusal is a styled page that says why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import ContactLog, IssueStatus
from tests.factories import AccountFactory, ContactLogFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(alice: Any, engineering: Any) -> Any:
    return IssueFactory.create(contact_log__account=AccountFactory.create(owner=alice), department=engineering)


def page(client: Client, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_owning_department_is_offered_acknowledge_plan_and_hand_off(client: Client, bob: Any, issue: Any) -> None:
    html = page(client, bob, reverse("feedback:issue-detail", args=[issue.pk]))

    assert reverse("feedback:issue-acknowledge", args=[issue.pk]) in html
    assert reverse("actionplans:from-issue", args=[issue.pk]) in html
    assert reverse("feedback:issue-handoff", args=[issue.pk]) in html


def test_another_department_sees_the_issue_without_buttons_it_cannot_use(
    client: Client, alice: Any, issue: Any
) -> None:
    html = page(client, alice, reverse("feedback:issue-detail", args=[issue.pk]))

    assert issue.verbatim in html
    assert reverse("feedback:issue-acknowledge", args=[issue.pk]) not in html
    assert reverse("actionplans:from-issue", args=[issue.pk]) not in html
    assert reverse("feedback:issue-handoff", args=[issue.pk]) not in html


def test_the_inbox_offers_acknowledge_and_plan_only_to_the_department(
    client: Client, alice: Any, bob: Any, issue: Any, engineering: Any
) -> None:
    inbox = f"{reverse('feedback:inbox')}?department={engineering.pk}"
    acknowledge = reverse("feedback:issue-acknowledge", args=[issue.pk])
    plan = reverse("actionplans:from-issue", args=[issue.pk])

    assert acknowledge in page(client, bob, inbox) and plan in page(client, bob, inbox)
    assert acknowledge not in page(client, alice, inbox) and plan not in page(client, alice, inbox)


def test_a_forbidden_action_answers_a_styled_page_with_the_reason(client: Client, alice: Any, issue: Any) -> None:
    client.force_login(alice)

    response = client.post(reverse("feedback:issue-acknowledge", args=[issue.pk]))

    assert response.status_code == 403
    html = response.content.decode()
    assert "You can't do that here" in html
    assert f"Only {issue.department.name} can acknowledge this issue." in html
    issue.refresh_from_db()
    assert issue.status == IssueStatus.NEW


def test_the_account_page_offers_logging_and_plans_through_the_apps_that_own_them(client: Client, alice: Any) -> None:
    account = AccountFactory.create(owner=alice)

    html = page(client, alice, reverse("accounts:detail", args=[account.pk]))

    assert f"{reverse('feedback:log')}?account={account.pk}" in html
    assert f"{reverse('actionplans:list')}?account={account.pk}&amp;status=all" in html


@pytest.mark.parametrize(("hours", "editable"), [(23, True), (25, False)])
def test_the_edit_window_answers_the_same_on_the_page_and_in_the_api(
    client: Client, alice: Any, hours: int, editable: bool
) -> None:
    log = ContactLogFactory.create(account=AccountFactory.create(owner=alice), author=alice)
    ContactLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    client.force_login(alice)

    detail = client.get(reverse("feedback:log-detail", args=[log.pk])).content.decode()
    edit_page = client.get(reverse("feedback:log-edit", args=[log.pk]))
    api = client.patch(
        reverse("api:contact-log", args=[log.pk]),
        {"summary": "Corrected.", "version": log.version},
        content_type="application/json",
    )

    assert (reverse("feedback:log-edit", args=[log.pk]) in detail) is editable
    assert edit_page.status_code == (200 if editable else 403)
    assert api.status_code == (200 if editable else 403)
    log.refresh_from_db()
    assert (log.summary == "Corrected.") is editable
