from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import Account, Tier
from feedback import services
from feedback.models import ContactLog, Issue, IssueHandoff, IssueStatus
from organization import services as organization_services
from organization.models import Notification
from tests.factories import AccountFactory, ContactFactory, DepartmentFactory, IssueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments() -> dict[str, Any]:
    return {slug: DepartmentFactory.create(name=slug.title(), slug=slug) for slug in ("quality", "billing", "service")}


@pytest.fixture
def members(departments: dict[str, Any]) -> dict[str, list[Any]]:
    return {slug: UserFactory.create_batch(2, department=d) for slug, d in departments.items()}


def routine(account: Any, **extra: Any) -> services.ContactLogInput:
    return services.ContactLogInput(
        account=account,
        occurred_at=timezone.now() - timedelta(minutes=5),
        channel="phone",
        topics=["delivery"],
        summary="Deliveries are late again, the line stopped twice.",
        rating=3,
        **extra,
    )


def test_a_log_with_three_issues_routes_each_and_notifies_each_member_once(
    alice: Any, departments: dict[str, Any], members: dict[str, list[Any]]
) -> None:
    account = AccountFactory.create(owner=alice)
    data = routine(
        account,
        issues=[
            services.IssueInput(department=departments["quality"], verbatim="Cracks in batch 114.", severity="high"),
            services.IssueInput(department=departments["billing"], verbatim="Billed twice in March."),
            services.IssueInput(department=departments["service"], verbatim="Waited four days for a visit."),
        ],
    )
    log = services.log_contact(author=alice, data=data, now=timezone.now())
    assert sorted(log.issues.values_list("department__slug", "verbatim")) == [
        ("billing", "Billed twice in March."),
        ("quality", "Cracks in batch 114."),
        ("service", "Waited four days for a visit."),
    ]
    for slug, people in members.items():
        for person in people:
            assert Notification.objects.filter(user=person).count() == 1, slug
    issue = log.issues.get(department__slug="quality")
    # the same event again (a retry) notifies nobody twice
    assert (
        organization_services.notify(
            users=members["quality"],
            kind="issue.routed",
            title="x",
            dedupe_key=f"issue.routed:{issue.pk}:{issue.department_id}",
        )
        == 0
    )
    assert Notification.objects.count() == 6


def test_saving_a_log_moves_the_accounts_contact_clock(alice: Any) -> None:
    account = AccountFactory.create(owner=alice)
    log = services.log_contact(author=alice, data=routine(account), now=timezone.now())
    account.refresh_from_db()
    assert account.last_contact_at == log.occurred_at
    assert account.next_contact_due is not None and account.next_contact_due > timezone.localdate()


def test_the_page_and_the_api_log_the_same_next_contact_when_none_is_given(
    client: Any, api: APIClient, alice: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    Account.objects.filter(pk=account.pk).update(tier=Tier.KEY)  # a Key account is due every 30 days
    held = timezone.localtime() - timedelta(days=3)  # logged three days late: the page used today's date
    client.force_login(alice)
    page = client.post(
        reverse("feedback:log"),
        {
            "account": account.pk,
            "occurred_at": held.strftime("%Y-%m-%dT%H:%M"),
            "channel": "phone",
            "topics": ["delivery"],
            "summary": "Deliveries are late again.",
        },
    )
    api.force_authenticate(alice)
    body = {"account": account.pk, "occurred_at": held.isoformat(), "channel": "phone", "summary": "Late again."}
    answer = api.post(reverse("api:contact-logs"), body, format="json")

    assert (page.status_code, answer.status_code) == (302, 201)
    logged = list(ContactLog.objects.order_by("pk").values_list("next_contact_on", flat=True))
    assert logged == [held.date() + timedelta(days=30)] * 2


def test_one_bad_issue_row_saves_nothing(alice: Any, departments: dict[str, Any]) -> None:
    account = AccountFactory.create(owner=alice)
    data = routine(
        account,
        issues=[
            services.IssueInput(department=departments["quality"], verbatim="A real problem."),
            services.IssueInput(department=departments["billing"], verbatim="   "),
        ],
    )
    with pytest.raises(ValidationError) as error:
        services.log_contact(author=alice, data=data, now=timezone.now())
    assert "issues.1.verbatim" in error.value.message_dict
    assert (ContactLog.objects.count(), Issue.objects.count(), Notification.objects.count()) == (0, 0, 0)
    account.refresh_from_db()
    assert account.last_contact_at is None


def test_their_participants_must_belong_to_the_account(alice: Any) -> None:
    account = AccountFactory.create(owner=alice)
    stranger = ContactFactory.create()
    with pytest.raises(ValidationError):
        services.log_contact(author=alice, data=routine(account, their_participants=[stranger]), now=timezone.now())


def test_a_hand_off_keeps_ownership_until_the_receiver_acknowledges(departments: dict[str, Any]) -> None:
    quality_person = UserFactory.create(department=departments["quality"])
    billing_person = UserFactory.create(department=departments["billing"])
    issue = IssueFactory.create(department=departments["quality"])
    services.hand_off_issue(
        issue=issue,
        to_department=departments["billing"],
        note="This is an invoicing error.",
        by=quality_person,
        now=timezone.now(),
    )
    issue.refresh_from_db()
    assert issue.department == departments["quality"]  # still owned: nobody drops the customer
    assert issue.status == IssueStatus.NEW
    with pytest.raises(PermissionDenied):
        services.acknowledge_issue(issue=issue, by=quality_person, now=timezone.now())
    services.acknowledge_issue(issue=issue, by=billing_person, now=timezone.now())
    issue.refresh_from_db()
    assert (issue.department, issue.status, issue.acknowledged_by) == (
        departments["billing"],
        IssueStatus.ACKNOWLEDGED,
        billing_person,
    )
    assert IssueHandoff.objects.get().accepted_by == billing_person
    assert Notification.objects.filter(user=billing_person, kind="issue.handed_off").count() == 1


def test_only_the_owning_department_acknowledges_or_hands_off(departments: dict[str, Any], alice: Any) -> None:
    issue = IssueFactory.create(department=departments["quality"])
    with pytest.raises(PermissionDenied):
        services.acknowledge_issue(issue=issue, by=alice, now=timezone.now())
    with pytest.raises(PermissionDenied):
        services.hand_off_issue(
            issue=issue, to_department=departments["billing"], note="n", by=alice, now=timezone.now()
        )


def test_acknowledging_twice_changes_nothing_the_second_time(departments: dict[str, Any]) -> None:
    first, second = UserFactory.create_batch(2, department=departments["quality"])
    issue = IssueFactory.create(department=departments["quality"])
    services.acknowledge_issue(issue=issue, by=first, now=timezone.now())
    services.acknowledge_issue(issue=issue, by=second, now=timezone.now())
    issue.refresh_from_db()
    assert issue.acknowledged_by == first


def test_the_author_edits_within_24_hours_and_history_keeps_the_old_words(alice: Any) -> None:
    log = services.log_contact(author=alice, data=routine(AccountFactory.create(owner=alice)), now=timezone.now())
    services.edit_contact_log(log=log, by=alice, now=timezone.now(), summary="Deliveries late, line stopped 3 times.")
    assert list(log.history.order_by("history_date").values_list("summary", flat=True)) == [
        "Deliveries are late again, the line stopped twice.",
        "Deliveries late, line stopped 3 times.",
    ]
    with time_machine.travel(timezone.now() + timedelta(hours=25)), pytest.raises(PermissionDenied):
        services.edit_contact_log(log=log, by=alice, now=timezone.now(), summary="Too late to change.")


def test_nobody_but_the_author_edits(alice: Any, bob: Any) -> None:
    log = services.log_contact(author=alice, data=routine(AccountFactory.create(owner=alice)), now=timezone.now())
    with pytest.raises(PermissionDenied):
        services.edit_contact_log(log=log, by=bob, now=timezone.now(), summary="Not mine.")


def test_only_admins_delete_a_log_with_a_reason_and_it_is_audited(alice: Any, admin_user: Any) -> None:
    log = services.log_contact(author=alice, data=routine(AccountFactory.create(owner=alice)), now=timezone.now())
    with pytest.raises(PermissionDenied):
        services.delete_contact_log(log=log, by=alice, reason="oops", now=timezone.now())
    with pytest.raises(ValidationError):
        services.delete_contact_log(log=log, by=admin_user, reason=" ", now=timezone.now())
    services.delete_contact_log(log=log, by=admin_user, reason="Logged against the wrong customer", now=timezone.now())
    assert not ContactLog.objects.visible_to(alice).exists()
    last = log.history.latest("history_date")
    assert (last.history_user, last.deleted_reason) == (admin_user, "Logged against the wrong customer")


def test_the_email_digest_sends_each_notification_once(alice: Any, mailoutbox: Any) -> None:
    organization_services.notify(users=[alice], kind="k", title="One", dedupe_key="e1")
    organization_services.notify(users=[alice], kind="k", title="Two", dedupe_key="e2")
    assert organization_services.send_notification_digest(user_id=alice.pk, now=timezone.now()) == 2
    assert organization_services.send_notification_digest(user_id=alice.pk, now=timezone.now()) == 0
    assert len(mailoutbox) == 1
    assert "One" in mailoutbox[0].body and "Two" in mailoutbox[0].body


def test_confidential_logs_and_issues_stay_with_their_people(alice: Any, bob: Any, erin: Any) -> None:
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    IssueFactory.create(contact_log__account=secret, account=secret)
    assert not ContactLog.objects.visible_to(bob).exists()
    assert not Issue.objects.visible_to(bob).exists()
    assert ContactLog.objects.visible_to(alice).count() == ContactLog.objects.visible_to(erin).count() == 1


# --- Nothing typed is lost; fresh numbers (issue 14) -------------------------------------------------------------


def test_a_typed_next_contact_date_decides_when_the_account_is_due_and_survives_a_recompute(alice: Any) -> None:
    account = AccountFactory.create(owner=alice)
    chosen = timezone.localdate() + timedelta(days=3)
    services.log_contact(author=alice, data=routine(account, next_contact_on=chosen), now=timezone.now())
    account_services.recompute_priorities(changed_by=None, now=timezone.now())  # tiers and cadences re-read
    account.refresh_from_db()
    assert (account.next_contact_due, account.next_contact_planned_on) == (chosen, chosen)


def test_without_a_date_the_tiers_cadence_decides_and_a_later_call_clears_the_typed_one(alice: Any) -> None:
    account = AccountFactory.create(owner=alice)
    first = routine(account, next_contact_on=timezone.localdate() + timedelta(days=3))
    first.occurred_at = timezone.now() - timedelta(days=1)
    services.log_contact(author=alice, data=first, now=timezone.now())
    log = services.log_contact(author=alice, data=routine(account), now=timezone.now())
    account.refresh_from_db()
    assert account.next_contact_planned_on is None
    assert (
        account.next_contact_due
        == log.next_contact_on
        == account_selectors.next_contact_after(tier=account.tier, occurred_at=log.occurred_at)
    )


def test_correcting_the_last_logs_next_contact_date_moves_the_account(alice: Any) -> None:
    account = AccountFactory.create(owner=alice)
    log = services.log_contact(author=alice, data=routine(account), now=timezone.now())
    chosen = timezone.localdate() + timedelta(days=2)
    services.edit_contact_log(log=log, by=alice, now=timezone.now(), next_contact_on=chosen)
    account.refresh_from_db()
    assert account.next_contact_due == chosen


def test_an_edit_that_changes_nothing_keeps_the_version_and_writes_no_history(alice: Any) -> None:
    log = services.log_contact(author=alice, data=routine(AccountFactory.create(owner=alice)), now=timezone.now())
    same = {name: getattr(log, name) for name in services.EDITABLE_FIELDS}
    same["summary"] = log.summary.replace("\n", "\r\n")  # as a browser sends a textarea
    same["topics"] = list(reversed(log.topics))
    services.edit_contact_log(log=log, by=alice, now=timezone.now(), expected_version=log.version, **same)
    log.refresh_from_db()
    assert (log.version, log.history.count()) == (1, 1)


def test_logging_a_call_recomputes_the_accounts_health_on_commit(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.log_contact(author=alice, data=routine(account), now=timezone.now())
    account.refresh_from_db()
    assert account.health is not None and account.health_updated_at is not None
    contact = next(s for s in account.health_signals if s["key"] == "contact")
    assert contact["detail"].startswith("last contact 0 days ago")


def test_a_rolled_back_log_queues_no_health_recompute(alice: Any, django_capture_on_commit_callbacks: Any) -> None:
    account = AccountFactory.create(owner=alice)
    bad = routine(account)
    bad.summary = " "
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        services.log_contact(author=alice, data=bad, now=timezone.now())
    assert callbacks == []


# --- Hand-offs keep plans; moving a mis-logged conversation (issue 14) ----------------------------------------------


def test_accepting_a_hand_off_keeps_a_planned_issue_planned(departments: dict[str, Any]) -> None:
    quality_person = UserFactory.create(department=departments["quality"])
    billing_person = UserFactory.create(department=departments["billing"])
    issue = IssueFactory.create(department=departments["quality"], status=IssueStatus.PLANNED)
    services.hand_off_issue(
        issue=issue, to_department=departments["billing"], note="Invoicing.", by=quality_person, now=timezone.now()
    )
    services.acknowledge_issue(issue=issue, by=billing_person, now=timezone.now())
    issue.refresh_from_db()
    assert (issue.department, issue.status) == (departments["billing"], IssueStatus.PLANNED)


def test_the_author_moves_a_mis_logged_conversation_with_its_issues_and_history(
    alice: Any, departments: dict[str, Any]
) -> None:
    wrong, right = AccountFactory.create_batch(2, owner=alice)
    earlier = routine(wrong)
    earlier.occurred_at = timezone.now() - timedelta(days=10)
    services.log_contact(author=alice, data=earlier, now=timezone.now())
    issue = services.IssueInput(department=departments["quality"], verbatim="Cracks in batch 114.")
    log = services.log_contact(author=alice, data=routine(wrong, issues=[issue]), now=timezone.now())

    services.move_contact_log(log=log, to_account=right, by=alice, now=timezone.now(), expected_version=1)

    log.refresh_from_db()
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert (log.account, log.version) == (right, 2)
    assert list(log.issues.values_list("account", flat=True)) == [right.pk]
    assert log.history.first().history_change_reason == f"moved to {right.name}"
    assert [h.account_id for h in log.history.order_by("history_date")] == [wrong.pk, right.pk]
    assert right.last_contact_at == log.occurred_at
    assert wrong.last_contact_at == earlier.occurred_at  # what remains on the wrong account


def test_only_the_author_in_the_window_or_an_admin_moves_a_conversation(alice: Any, bob: Any, admin_user: Any) -> None:
    wrong, right = AccountFactory.create_batch(2, owner=alice)
    log = services.log_contact(author=alice, data=routine(wrong), now=timezone.now())
    with pytest.raises(PermissionDenied):
        services.move_contact_log(log=log, to_account=right, by=bob, now=timezone.now())
    later = timezone.now() + timedelta(hours=25)
    with pytest.raises(PermissionDenied, match="ask an admin"):
        services.move_contact_log(log=log, to_account=right, by=alice, now=later)
    services.move_contact_log(log=log, to_account=right, by=admin_user, now=later)
    log.refresh_from_db()
    assert log.account == right


def test_a_conversation_is_not_moved_to_an_account_the_mover_cannot_open(alice: Any) -> None:
    log = services.log_contact(author=alice, data=routine(AccountFactory.create(owner=alice)), now=timezone.now())
    hidden = AccountFactory.create(is_confidential=True)
    with pytest.raises(PermissionDenied, match="cannot open that account"):
        services.move_contact_log(log=log, to_account=hidden, by=alice, now=timezone.now())


def test_a_conversation_whose_issue_has_a_plan_stays_with_the_plans_account(
    alice: Any, departments: dict[str, Any]
) -> None:
    wrong, right = AccountFactory.create_batch(2, owner=alice)
    issue = services.IssueInput(department=departments["quality"], verbatim="Cracks in batch 114.")
    log = services.log_contact(author=alice, data=routine(wrong, issues=[issue]), now=timezone.now())
    log.issues.update(status=IssueStatus.PLANNED)
    with pytest.raises(ValidationError, match="plans already"):
        services.move_contact_log(log=log, to_account=right, by=alice, now=timezone.now())
