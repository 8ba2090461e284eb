"""Campaigns, their emails and reminders, received by a real SMTP server (deliverables 2 and 6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from organization.models import User
from surveys import links, services, tasks
from surveys.models import SurveyCampaign, SurveyInvitation, SurveyOptOut
from tests.factories import AccountFactory, ContactFactory, UserFactory
from tests.surveys.helpers import annual, form_data
from tests.surveys.mail import Inbox, body, link_path, smtp_server_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def three_accounts(alice: User) -> list[Account]:
    """Three of alice's accounts: five contacts with an address, one opted out, one without an address."""
    first, second, third = AccountFactory.create_batch(3, owner=alice)
    ContactFactory.create(account=first, email="ann@first.example")
    ContactFactory.create(account=first, email="ben@first.example")
    ContactFactory.create(account=second, email="cleo@second.example")
    opted = ContactFactory.create(account=second, email="dan@second.example")
    SurveyOptOut.objects.create(contact=opted, opted_out_at=timezone.now())
    ContactFactory.create(account=third, email="eve@third.example")
    ContactFactory.create(account=third, email="")
    ContactFactory.create(account=third, email="fay@third.example")
    return [first, second, third]


def start(by: User, now: datetime | None = None, **options: Any) -> SurveyCampaign:
    return services.start_campaign(
        by=by, template=annual(), name="Annual survey 2026", now=now or timezone.now(), **options
    )


def test_a_campaign_to_three_accounts_mails_each_contact_once_and_no_opted_out_contact(
    alice: User, three_accounts: list[Account], smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start(alice)

    recipients = sorted(str(m["To"]) for m in smtp_server.messages)
    assert recipients == [
        "ann@first.example",
        "ben@first.example",
        "cleo@second.example",
        "eve@third.example",
        "fay@third.example",
    ]
    assert all("/s/" in body(m) and m["Subject"] == "Annual customer perception survey" for m in smtp_server.messages)
    assert campaign.invitations.filter(sent_at__isnull=False).count() == 5
    assert SurveyCampaign.objects.get(pk=campaign.pk).state == SurveyCampaign.State.SENT


def test_a_second_send_or_a_retried_task_mails_nobody_again(
    alice: User, three_accounts: list[Account], smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start(alice)

    assert services.send_invitations(campaign_id=campaign.pk, now=timezone.now()) == 0
    tasks.send_invitations_task.apply(args=(campaign.pk,))
    tasks.send_due_invitations_task.apply()
    assert len(smtp_server.messages) == 5


def test_each_link_is_different_and_opens_that_contacts_survey(
    alice: User, three_accounts: list[Account], smtp_server: Inbox, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        start(alice)

    paths = {link_path(m) for m in smtp_server.messages}
    page = client.get(link_path(smtp_server.to("cleo@second.example")[0]))
    assert len(paths) == 5
    assert page.status_code == 200
    assert three_accounts[1].name in page.content.decode()


def test_a_reminder_goes_only_to_those_who_have_not_answered_and_twice_at_most(
    alice: User,
    three_accounts: list[Account],
    smtp_server: Inbox,
    django_capture_on_commit_callbacks: Any,
    client: Any,
) -> None:
    monday = datetime(2026, 11, 2, 10, 0, tzinfo=AMSTERDAM)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start(alice, now=monday, expires_in_days=120)
        services.send_invitations(campaign_id=campaign.pk, now=monday)
    answered = smtp_server.to("ann@first.example")[0]
    client.post(link_path(answered), form_data(campaign))
    before = len(smtp_server.messages)

    four_days_on = monday + timedelta(days=4)  # Friday: four business days, not five
    assert services.invitations_due_for_reminder(now=four_days_on) == []
    next_monday = monday + timedelta(days=7)  # five business days after the invitation
    due = services.invitations_due_for_reminder(now=next_monday)
    services.send_reminders(invitation_ids=due, now=next_monday)
    services.send_reminders(invitation_ids=due, now=next_monday)  # a retry: nobody twice

    reminders = smtp_server.messages[before:]
    assert sorted(str(m["To"]) for m in reminders) == [
        "ben@first.example",
        "cleo@second.example",
        "eve@third.example",
        "fay@third.example",
    ]
    assert all(m["Subject"].startswith("Reminder: ") for m in reminders)
    for weeks in (2, 3, 4):
        later = monday + timedelta(days=7 * weeks)
        services.send_reminders(invitation_ids=services.invitations_due_for_reminder(now=later), now=later)
    assert len(smtp_server.messages) - before == 8  # a second reminder each, then no more
    assert set(
        SurveyInvitation.objects.exclude(contact__email="ann@first.example").values_list("reminders_sent", flat=True)
    ) == {2}


def test_the_reminder_link_is_the_same_working_link(
    alice: User, three_accounts: list[Account], smtp_server: Inbox, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    monday = datetime(2026, 11, 2, 10, 0, tzinfo=AMSTERDAM)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start(alice, now=monday, expires_in_days=120)
        services.send_invitations(campaign_id=campaign.pk, now=monday)
    later = monday + timedelta(days=7)
    services.send_reminders(invitation_ids=services.invitations_due_for_reminder(now=later), now=later)

    first, reminder = smtp_server.to("ben@first.example")
    opened = [links.read_token(link_path(m).split("/")[2]) for m in (first, reminder)]
    assert opened[0] == opened[1] is not None  # signed at different times, for the same invitation and nonce
    assert client.get(link_path(reminder)).status_code == 200


def test_a_contact_who_opts_out_after_the_start_gets_neither_the_email_nor_reminders(
    alice: User, three_accounts: list[Account], smtp_server: Inbox
) -> None:
    campaign = start(alice)  # not committed in this test: the email task has not run yet
    ben = SurveyInvitation.objects.get(campaign=campaign, contact__email="ben@first.example")
    SurveyOptOut.objects.create(contact=ben.contact, opted_out_at=timezone.now())

    services.send_invitations(campaign_id=campaign.pk, now=timezone.now())

    assert "ben@first.example" not in {str(m["To"]) for m in smtp_server.messages}
    assert len(smtp_server.messages) == 4


def test_only_admins_and_account_managers_start_a_campaign(bob: User, three_accounts: list[Account]) -> None:
    with pytest.raises(PermissionDenied):
        start(bob)


def test_an_account_manager_surveys_only_their_own_accounts(
    alice: User, three_accounts: list[Account], smtp_server: Inbox
) -> None:
    someone_else = UserFactory.create(role="account_manager")
    ContactFactory.create(account=AccountFactory.create(owner=someone_else), email="zed@other.example")

    campaign = start(alice)

    assert not campaign.invitations.filter(contact__email="zed@other.example").exists()
    assert campaign.invitations.count() == 5


def test_the_campaign_pages_show_totals_and_revoke_a_link(
    alice: User, three_accounts: list[Account], smtp_server: Inbox, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start(alice)
    path = link_path(smtp_server.to("eve@third.example")[0])
    eve = SurveyInvitation.objects.get(contact__email="eve@third.example")
    client.force_login(alice)

    listing = client.get(reverse("surveys:list"))
    detail = client.get(reverse("surveys:detail", args=[campaign.pk]))
    revoked = client.post(reverse("surveys:revoke", args=[eve.pk]))

    assert "Annual survey 2026" in listing.content.decode()
    assert '<dd class="h5 mb-0" data-testid="sent">5 of 5</dd>' in detail.content.decode()
    assert revoked.status_code == 302
    assert client.get(path).status_code == 404


def test_the_new_campaign_form_starts_a_campaign(
    alice: User, three_accounts: list[Account], smtp_server: Inbox, client: Any
) -> None:
    client.force_login(alice)
    template = annual()

    response = client.post(
        reverse("surveys:new"),
        {"template": template.pk, "name": "Spring check", "expires_in_days": 30, "reminder_after_business_days": 5},
    )

    campaign = SurveyCampaign.objects.get(name="Spring check")
    assert response.status_code == 302
    assert campaign.invitations.count() == 5


def test_the_new_campaign_form_refuses_an_empty_name_with_a_form_error(alice: User, client: Any) -> None:
    client.force_login(alice)

    response = client.post(reverse("surveys:new"), {"template": annual().pk, "name": " ", "expires_in_days": 30})

    assert response.status_code == 400
    assert not SurveyCampaign.objects.exists()
