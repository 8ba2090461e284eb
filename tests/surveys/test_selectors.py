"""Query counts of the survey pages and the timeline provider: they do not grow with campaigns or recipients."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import timeline
from organization.models import User
from surveys import links, services
from surveys.models import SurveyCampaign
from tests.factories import AccountFactory, ContactFactory
from tests.surveys.helpers import annual, form_data

pytestmark = pytest.mark.django_db


def campaigns(alice: User, count: int, contacts: int) -> list[SurveyCampaign]:
    for _ in range(contacts):
        ContactFactory.create(account=AccountFactory.create(owner=alice))
    return [
        services.start_campaign(by=alice, template=annual(), name=f"Survey {n}", now=timezone.now())
        for n in range(count)
    ]


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_campaign_list_costs_the_same_for_one_campaign_or_many(alice: User, client: Client) -> None:
    client.force_login(alice)
    campaigns(alice, 1, 2)
    few = queries(client, reverse("surveys:list"))
    campaigns(alice, 6, 3)

    assert (
        queries(client, reverse("surveys:list")) == few == 6
    )  # session, user, count, rows (+ totals), the navbar's two


def test_the_campaign_page_costs_the_same_for_two_recipients_or_twenty(alice: User, client: Client) -> None:
    client.force_login(alice)
    small = campaigns(alice, 1, 2)[0]
    big = campaigns(alice, 1, 18)[0]

    # session, user, campaign (+ totals), recipients' count and rows (+ account, owner, contact), the navbar's two
    assert queries(client, reverse("surveys:detail", args=[big.pk])) == 7
    assert queries(client, reverse("surveys:detail", args=[small.pk])) == 7


def test_the_timeline_reads_survey_answers_in_two_queries(
    alice: User, client: Client, django_assert_num_queries: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    ContactFactory.create_batch(3, account=account)
    (campaign,) = campaigns(alice, 1, 0)
    services.send_invitations(campaign_id=campaign.pk, now=timezone.now())
    for invitation in campaign.invitations.all():
        client.post(f"/s/{links.make_token(invitation)}/", form_data(campaign))

    with django_assert_num_queries(2):  # the responses (+ contact, campaign), then all their answers
        entries = timeline.account_timeline(account=account, user=alice, only={"survey"})
    assert len(entries) == 3
