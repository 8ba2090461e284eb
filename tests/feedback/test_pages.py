from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import cadence_days
from feedback import services
from feedback.models import ContactLog, Issue
from feedback.views import INBOX_PAGE
from organization.models import Notification
from tests.factories import AccountFactory, ContactLogFactory, DepartmentFactory, IssueFactory, UserFactory

pytestmark = pytest.mark.django_db


def quick_log_post(account: Any, **extra: Any) -> dict[str, Any]:
    return {
        "account": account.pk,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "topics": ["delivery"],
        "summary": "Your driver was rude to our receiving clerk.",
        "rating": "2",
        **extra,
    }


def test_the_quick_log_saves_and_routes(client: Any, alice: Any, engineering: Any, bob: Any) -> None:
    account = AccountFactory.create(owner=alice)
    client.force_login(alice)
    response = client.post(
        reverse("feedback:log"),
        quick_log_post(
            account,
            **{
                "issues-0-severity": "high",
                "issues-0-department": engineering.pk,
                "issues-0-verbatim": "The pump overheats at full load.",
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", args=[account.pk])
    assert Issue.objects.get().department == engineering
    assert Notification.objects.get().user == bob


def test_sending_the_same_quick_log_form_twice_logs_the_conversation_once(
    client: Any, alice: Any, engineering: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    client.force_login(alice)
    token = re.search(r'name="submission" value="([0-9a-f]{32})"', client.get(reverse("feedback:log")).content.decode())
    assert token is not None  # each rendered form carries its own one-time token
    form = quick_log_post(
        account,
        submission=token.group(1),
        **{"issues-0-severity": "high", "issues-0-department": engineering.pk, "issues-0-verbatim": "Overheats."},
    )

    first = client.post(reverse("feedback:log"), form)
    again = client.post(reverse("feedback:log"), form, follow=True)  # a double click, or a reload

    assert first.status_code == 302 and again.redirect_chain[-1][0] == first["Location"]
    assert (ContactLog.objects.count(), Issue.objects.count()) == (1, 1)
    assert "was already logged" in again.content.decode()
    other = client.post(reverse("feedback:log"), {**form, "submission": "f" * 32})  # a new form is a new log
    assert other.status_code == 302 and ContactLog.objects.count() == 2


def test_a_bad_issue_row_saves_nothing_and_keeps_every_typed_value(client: Any, alice: Any, engineering: Any) -> None:
    account = AccountFactory.create(owner=alice, name="Typed Corp")
    client.force_login(alice)
    response = client.post(
        reverse("feedback:log"),
        quick_log_post(
            account,
            **{
                "issues-0-severity": "high",
                "issues-0-department": engineering.pk,
                "issues-0-verbatim": "Kept issue words.",
                "issues-3-severity": "low",
                "issues-3-department": "",
                "issues-3-verbatim": "",
            },
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html
    assert "Your driver was rude to our receiving clerk." in html and "Kept issue words." in html
    assert 'id="picked-account">Typed Corp<' in html
    assert re.search(r'value="delivery"[^>]*checked', html)
    assert ContactLog.objects.count() == Issue.objects.count() == 0


def test_logging_from_the_account_page_prefills_the_account_and_leaves_next_contact_to_the_service(
    client: Any, alice: Any
) -> None:
    account = AccountFactory.create(owner=alice, name="Prefilled Ltd")
    client.force_login(alice)
    html = client.get(reverse("feedback:log"), {"account": account.pk}).content.decode()
    assert f'name="account" value="{account.pk}"' in html
    assert 'name="next_contact_on" value="' not in html  # empty: log_contact counts the cadence from the talk


def test_the_account_autocomplete_offers_only_visible_accounts(client: Any, alice: Any, bob: Any) -> None:
    AccountFactory.create(name="Hidden Widgets", is_confidential=True, owner=alice)
    AccountFactory.create(name="Open Widgets")
    client.force_login(bob)
    html = client.get(reverse("feedback:account-options"), {"account_q": "widg"}).content.decode()
    assert "Open Widgets" in html and "Hidden Widgets" not in html


def test_the_inbox_shows_the_customers_words_unabridged(client: Any, bob: Any, engineering: Any) -> None:
    words = "The pump overheats at full load in summer. " * 20
    IssueFactory.create(department=engineering, verbatim=words.strip())
    client.force_login(bob)
    html = client.get(reverse("feedback:inbox")).content.decode()
    assert words.strip() in html


@pytest.mark.parametrize(("count", "shown"), [(1, 1), (60, INBOX_PAGE)])
def test_inbox_query_count_does_not_grow(
    client: Any, bob: Any, engineering: Any, django_assert_num_queries: Any, count: int, shown: int
) -> None:
    IssueFactory.create_batch(count, department=engineering)
    client.force_login(bob)
    # session, user, department (navbar), unread count, department choices, the capped count, the page's issues
    # (+account, raiser), hand-offs
    with django_assert_num_queries(8):
        response = client.get(reverse("feedback:inbox"))
    assert response.content.decode().count("<article") == shown


@pytest.mark.parametrize("count", [1, 50])
def test_timeline_query_count_does_not_grow(
    client: Any, alice: Any, django_assert_num_queries: Any, count: int
) -> None:
    account = AccountFactory.create(owner=alice)
    for _ in range(count):
        IssueFactory.create(contact_log=ContactLogFactory.create(account=account), account=account)
    client.force_login(alice)
    # session, user, account (+team, contacts, scores), one query per timeline kind (priority, contact, issue,
    # hand-off, plan, escalation, survey answers, proposed plans, joint reviews)
    with django_assert_num_queries(15):
        response = client.get(reverse("accounts:timeline", args=[account.pk]))
    assert response.status_code == 200


def test_confidential_feedback_never_reaches_other_users_pages(
    client: Any, alice: Any, bob: Any, engineering: Any
) -> None:
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    log = ContactLogFactory.create(account=secret, summary="Merger talks with Globex, strictly confidential.")
    issue = IssueFactory.create(
        contact_log=log, account=secret, department=engineering, verbatim="Confidential pump failure."
    )
    client.force_login(bob)
    assert "Confidential pump failure" not in client.get(reverse("feedback:inbox")).content.decode()
    assert "0 results" in client.get(reverse("feedback:search"), {"q": "Globex"}).content.decode()
    assert client.get(reverse("feedback:log-detail", args=[log.pk])).status_code == 404
    assert client.get(reverse("feedback:issue-detail", args=[issue.pk])).status_code == 404
    assert client.get(reverse("accounts:timeline", args=[secret.pk])).status_code == 404


def test_search_finds_and_highlights_what_the_customer_said(client: Any, alice: Any) -> None:
    ContactLogFactory.create(
        summary="The conveyor belts tear after two weeks.", account=AccountFactory.create(owner=alice)
    )
    ContactLogFactory.create(summary="Pricing is fine.")
    client.force_login(alice)
    html = client.get(reverse("feedback:search"), {"q": "conveyor"}).content.decode()
    assert "<mark>conveyor</mark>" in html.lower()
    assert "Pricing is fine" not in html


def test_the_bell_counts_unread_notifications(client: Any, bob: Any, alice: Any, engineering: Any) -> None:
    account = AccountFactory.create(owner=alice)
    services.log_contact(
        author=alice,
        now=timezone.now(),
        data=services.ContactLogInput(
            account=account,
            occurred_at=timezone.now(),
            channel="phone",
            summary="Noise from the gearbox.",
            issues=[services.IssueInput(department=engineering, verbatim="Noise from the gearbox.")],
        ),
    )
    client.force_login(bob)
    assert 'data-testid="unread-count">1<' in client.get(reverse("home")).content.decode()
    client.post(reverse("notifications"))
    assert "unread-count" not in client.get(reverse("home")).content.decode()


def test_hand_off_from_the_issue_page(client: Any, bob: Any, engineering: Any) -> None:
    billing = DepartmentFactory.create(name="Billing", slug="billing")
    issue = IssueFactory.create(department=engineering)
    client.force_login(bob)
    client.post(
        reverse("feedback:issue-handoff", args=[issue.pk]), {"to_department": billing.pk, "note": "Invoice error"}
    )
    html = client.get(reverse("feedback:inbox")).content.decode()
    assert "awaiting acknowledgement" in html  # still in engineering's inbox until billing acknowledges
    billing_person = UserFactory.create(department=billing)
    client.force_login(billing_person)
    assert issue.verbatim in client.get(reverse("feedback:inbox")).content.decode()


def test_the_quick_log_shows_the_date_an_empty_next_contact_stands_for(client: Any, alice: Any) -> None:
    account = AccountFactory.create(owner=alice)
    due = timezone.localdate() + timedelta(days=cadence_days()[account.tier])
    client.force_login(alice)
    page = client.get(reverse("feedback:log"), {"account": account.pk}).content.decode()
    picked = client.get(reverse("feedback:account-picked"), {"account": account.pk}).content.decode()
    shown = f"next contact {due:%-d %b %Y} unless you choose a date"
    assert shown in page
    assert shown in picked and 'hx-swap-oob="true"' in picked  # replaces the hint beside the field


def test_the_edit_page_shows_the_next_contact_date_in_iso_so_the_date_input_keeps_it(client: Any, alice: Any) -> None:
    log = ContactLogFactory.create(account=AccountFactory.create(owner=alice), next_contact_on=date(2027, 1, 1))
    client.force_login(alice)
    html = client.get(reverse("feedback:log-edit", args=[log.pk])).content.decode()
    assert 'name="next_contact_on" value="2027-01-01"' in html


def test_the_author_moves_a_conversation_from_its_page(client: Any, alice: Any) -> None:
    wrong = AccountFactory.create(owner=alice, name="Wrong Ltd")
    right = AccountFactory.create(owner=alice, name="Right Ltd")
    log = ContactLogFactory.create(account=wrong, author=alice)
    client.force_login(alice)
    page = client.get(reverse("feedback:log-detail", args=[log.pk])).content.decode()
    assert "Move conversation and its issues" in page and f'value="{right.pk}">Right Ltd' in page
    answer = client.post(reverse("feedback:log-move", args=[log.pk]), {"account": right.pk, "version": log.version})
    assert answer.status_code == 302
    log.refresh_from_db()
    assert log.account == right


def test_a_hidden_account_is_no_choice_when_moving_a_conversation(client: Any, alice: Any) -> None:
    log = ContactLogFactory.create(account=AccountFactory.create(owner=alice), author=alice)
    hidden = AccountFactory.create(is_confidential=True, name="Hidden Ltd")
    client.force_login(alice)
    assert "Hidden Ltd" not in client.get(reverse("feedback:log-detail", args=[log.pk])).content.decode()
    client.post(reverse("feedback:log-move", args=[log.pk]), {"account": hidden.pk, "version": log.version})
    log.refresh_from_db()
    assert log.account != hidden


def test_a_conversation_page_offers_a_new_plan_to_whoever_may_start_one(client: Any, alice: Any) -> None:
    log = ContactLogFactory.create(account=AccountFactory.create(owner=alice), author=alice)
    client.force_login(alice)
    html = client.get(reverse("feedback:log-detail", args=[log.pk])).content.decode()
    assert f'href="{reverse("actionplans:new")}?log={log.pk}"' in html
