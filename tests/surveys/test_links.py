"""The private link and the public page it opens (deliverables 2 and 6): signed, single-use, expiring, revocable;
no login, CSRF, a rate limit, partial answers, and one answer for every bad link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from accounts.models import Account
from organization.models import User
from surveys import links, services
from surveys.models import SurveyAnswer, SurveyCampaign, SurveyInvitation, SurveyOptOut, SurveyResponse
from tests.factories import AccountFactory, ContactFactory
from tests.surveys.helpers import annual, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(alice: User) -> Account:
    return AccountFactory.create(owner=alice, name="Acme Pumps")


@pytest.fixture
def campaign(alice: User, account: Account) -> SurveyCampaign:
    ContactFactory.create(account=account, name="Ann Anders", email="ann@acme.example")
    ContactFactory.create(account=account, name="Ben Berg", email="ben@acme.example")
    started = services.start_campaign(by=alice, template=annual(), name="Annual 2026", now=timezone.now())
    services.send_invitations(campaign_id=started.pk, now=timezone.now())
    return started


def invitation_of(campaign: SurveyCampaign, email: str) -> SurveyInvitation:
    return SurveyInvitation.objects.get(campaign=campaign, email=email)


def path(invitation: SurveyInvitation) -> str:
    return f"/s/{links.make_token(invitation)}/"


def bad_link_pages(client: Client, *paths: str) -> set[tuple[int, bytes]]:
    return {(r.status_code, r.content) for r in (client.get(p) for p in paths)}


def test_the_page_needs_no_login_and_shows_our_wording_and_the_account_name_only(
    client: Client, campaign: SurveyCampaign, account: Account
) -> None:
    ContactFactory.create(account=account, name="Secret Sam", email="")
    page = client.get(path(invitation_of(campaign, "ann@acme.example")))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Acme Pumps" in text
    assert campaign.version.template.intro in text
    assert "Ben Berg" not in text and "Secret Sam" not in text and account.owner.full_name not in text
    assert page["Cache-Control"].startswith("max-age=0")


def test_an_expired_used_revoked_tampered_or_unknown_link_answers_the_same_404_page(
    client: Client, campaign: SurveyCampaign, alice: User
) -> None:
    ann, ben = invitation_of(campaign, "ann@acme.example"), invitation_of(campaign, "ben@acme.example")
    used = path(ann)
    client.post(used, form_data(campaign))
    revoked = path(ben)
    services.revoke_invitation(invitation=ben, by=alice, now=timezone.now())
    other = SurveyInvitation.objects.create(
        campaign=campaign,
        account=ann.account,
        contact=ContactFactory.create(account=ann.account),
        email="c@acme.example",
        nonce=links.new_nonce(),
        sent_at=timezone.now(),
    )
    good = path(other)
    tampered = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    unknown = "/s/" + signing.dumps([99_999_999, "nonce"], salt=links.SALT, compress=False) + "/"
    SurveyCampaign.objects.filter(pk=campaign.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = good

    pages = bad_link_pages(client, used, revoked, tampered, unknown, expired, "/s/not-a-token/")

    assert len(pages) == 1
    status, content = pages.pop()
    assert status == 404
    assert b"This survey link does not work" in content


def test_a_contact_saves_half_leaves_and_finishes_later_with_the_same_link(
    client: Client, campaign: SurveyCampaign
) -> None:
    link = path(invitation_of(campaign, "ann@acme.example"))
    half = form_data(campaign, only=5, action="save", comments={"delivery": "Late twice in March."})

    saved = client.post(link, half)
    again = client.get(link)
    done = client.post(link, form_data(campaign, comments={"delivery": "Late twice in March."}))

    assert saved.status_code == 302
    assert "Late twice in March." in again.content.decode()
    assert "5 of 11 answered" in again.content.decode()
    assert done.status_code == 200
    assert campaign.version.template.thank_you in done.content.decode()
    response = SurveyResponse.objects.get()
    assert response.submitted_at is not None and response.recommend == 9 and response.choose_again is True
    assert SurveyAnswer.objects.filter(response=response).count() == 11
    assert client.get(link).status_code == 404  # used: dead


def test_submitting_with_a_required_answer_missing_is_a_form_error_and_keeps_what_was_typed(
    client: Client, campaign: SurveyCampaign
) -> None:
    link = path(invitation_of(campaign, "ann@acme.example"))

    refused = client.post(link, form_data(campaign, only=3, comments={"business_relationship": "Good people."}))

    assert refused.status_code == 400
    assert "Please answer this question." in refused.content.decode()
    assert "Good people." in refused.content.decode()
    assert not SurveyResponse.objects.filter(submitted_at__isnull=False).exists()


def test_a_score_out_of_range_is_refused_and_nothing_is_saved(client: Client, campaign: SurveyCampaign) -> None:
    link = path(invitation_of(campaign, "ann@acme.example"))
    data = form_data(campaign, action="save")
    first = next(k for k in data if k.startswith("q"))
    data[first] = "9"

    refused = client.post(link, data)

    assert refused.status_code == 400
    assert "Choose from 1 to 5." in refused.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_autosave_answers_with_a_fragment(client: Client, campaign: SurveyCampaign) -> None:
    link = path(invitation_of(campaign, "ann@acme.example"))

    fragment = client.post(link, form_data(campaign, only=2, action=""), headers={"HX-Request": "true"})

    assert fragment.status_code == 200
    assert fragment.content.decode().startswith('<span id="save-status"')
    assert SurveyAnswer.objects.count() == 2


def test_the_page_refuses_a_post_without_the_csrf_token(campaign: SurveyCampaign) -> None:
    client = Client(enforce_csrf_checks=True)
    link = path(invitation_of(campaign, "ann@acme.example"))

    refused = client.post(link, form_data(campaign))

    assert refused.status_code == 403
    assert not SurveyResponse.objects.exists()


def test_one_address_is_limited_to_the_configured_rate(client: Client, campaign: SurveyCampaign, settings: Any) -> None:
    settings.SURVEY_LINK_RATE = 3
    link = path(invitation_of(campaign, "ann@acme.example"))

    statuses = [client.get(link).status_code for _ in range(3)] + [client.get("/s/guess/").status_code]

    assert statuses == [200, 200, 200, 429]


def test_opening_the_link_counts_as_opened(client: Client, campaign: SurveyCampaign) -> None:
    ann = invitation_of(campaign, "ann@acme.example")

    client.get(path(ann))

    ann.refresh_from_db()
    assert ann.opened_at is not None and ann.state == SurveyInvitation.State.OPENED


def test_opting_out_from_the_page_keeps_the_contact_out_of_every_later_campaign(
    client: Client, campaign: SurveyCampaign, alice: User
) -> None:
    ann = invitation_of(campaign, "ann@acme.example")

    client.post(path(ann) + "opt-out/")
    later = services.start_campaign(by=alice, template=annual(), name="Annual 2027", now=timezone.now())

    assert SurveyOptOut.objects.filter(contact=ann.contact).exists()
    assert list(later.invitations.values_list("email", flat=True)) == ["ben@acme.example"]
