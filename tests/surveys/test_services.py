"""Survey versions and the send sweep (part A's services beyond the campaign, link and answer tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from organization.models import User
from surveys import selectors, services, tasks
from surveys.models import MAX_PERCEPTION_QUESTIONS, SurveyCampaign
from tests.factories import AccountFactory, ContactFactory
from tests.surveys.helpers import annual

pytestmark = pytest.mark.django_db


def questions(count: int) -> list[services.QuestionInput]:
    return [services.QuestionInput(kind="score", dimension="quality", wording=f"Question {n}?") for n in range(count)]


def test_editing_the_questions_makes_a_new_version_and_a_sent_campaign_keeps_its_own(
    alice: User, admin_user: User
) -> None:
    ContactFactory.create(account=AccountFactory.create(owner=alice))
    template = annual()
    sent = services.start_campaign(by=alice, template=template, name="Annual 2026", now=timezone.now())

    version = services.revise_questions(template=template, questions=questions(3), by=admin_user)

    assert version.number == 2
    assert selectors.current_version(template=template) == version
    assert len(selectors.questions(version_id=sent.version_id)) == 11  # the campaign still asks what it sent
    assert len(selectors.questions(version_id=version.pk)) == 3


def test_a_perception_survey_asks_at_most_twelve_questions(admin_user: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.revise_questions(template=annual(), questions=questions(MAX_PERCEPTION_QUESTIONS + 1), by=admin_user)

    assert "at most 12 questions" in str(refused.value)


def test_only_admins_change_a_surveys_questions(alice: User) -> None:
    with pytest.raises(PermissionDenied):
        services.revise_questions(template=annual(), questions=questions(2), by=alice)


def test_the_send_sweep_mails_a_pulse_once_its_delay_is_over_and_only_then(alice: User) -> None:
    ContactFactory.create(account=AccountFactory.create(owner=alice), email="ann@customer.example")
    campaign = services.start_campaign(by=alice, template=annual(), name="Later", now=timezone.now())
    SurveyCampaign.objects.filter(pk=campaign.pk).update(send_after=timezone.now() + timedelta(hours=1))

    tasks.send_due_invitations_task.apply()
    waiting = len(mail.outbox)
    SurveyCampaign.objects.filter(pk=campaign.pk).update(send_after=timezone.now() - timedelta(minutes=1))
    tasks.send_due_invitations_task.apply()
    tasks.send_due_invitations_task.apply()

    assert (waiting, [m.to for m in mail.outbox]) == (0, [["ann@customer.example"]])
