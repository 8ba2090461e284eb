"""Year over year: each dimension against the last survey, and a plan proposed for every decline, which the owner
accepts (one plan, however often) or dismisses with a reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans.models import ActionPlan
from actionplans.selectors import business_calendar
from feedback.models import Topic
from organization.models import Role
from surveys import events, policies, proposals, yearly
from surveys.models import DeclineProposal
from tests.factories import AccountFactory, DepartmentFactory, SegmentFactory, UserFactory
from tests.surveys.answered import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def quality(db: Any) -> Any:
    return DepartmentFactory.create(name="Quality", slug="quality")


@pytest.fixture
def declined(alice: Any, quality: Any) -> Any:
    """Alice's account scored delivery 4.5 last year and 2.5 this year; quality held at 4."""
    account = AccountFactory.create(owner=alice, name="Delta Drives")
    answer(account, year=2025, scores={Topic.DELIVERY: 5, Topic.QUALITY: 4}, recommend=9)
    answer(account, year=2025, scores={Topic.DELIVERY: 4, Topic.QUALITY: 4}, recommend=8)
    answer(account, year=2026, scores={Topic.DELIVERY: 2, Topic.QUALITY: 4}, recommend=5)
    answer(account, year=2026, scores={Topic.DELIVERY: 3, Topic.QUALITY: 4}, recommend=6)
    return account


def test_an_account_compares_each_dimension_with_its_last_survey(declined: Any) -> None:
    comparison = yearly.account_year_over_year(account=declined)

    rows = {row.dimension: row for row in comparison.rows}
    assert (comparison.previous_year, comparison.current_year) == (2025, 2026)
    assert (rows["delivery"].previous, rows["delivery"].current, rows["delivery"].change) == (4.5, 2.5, -2.0)
    assert rows["delivery"].declined and not rows["quality"].declined
    assert rows["pricing"].change is None  # not asked: nothing to compare


def test_a_declined_dimension_proposes_a_plan(declined: Any, alice: Any, quality: Any) -> None:
    now = timezone.now()

    assert proposals.propose_plans(account_ids=[declined.pk], now=now) == 1

    (proposal,) = DeclineProposal.objects.all()
    assert (proposal.dimension, proposal.state) == ("delivery", DeclineProposal.State.PROPOSED)
    assert (float(proposal.previous_score), float(proposal.current_score)) == (4.5, 2.5)
    assert proposal.suggested_owner == alice and proposal.department == quality  # delivery is Quality's
    calendar = business_calendar()
    day, workdays = timezone.localdate(now), 0
    while day < proposal.suggested_promise_on:
        day += timedelta(days=1)
        workdays += calendar.is_workday(day)
    assert workdays == proposals.PROMISE_BUSINESS_DAYS and calendar.is_workday(proposal.suggested_promise_on)


def test_proposing_again_changes_nothing_and_a_recovery_withdraws_an_undecided_proposal(declined: Any) -> None:
    now = timezone.now()
    proposals.propose_plans(account_ids=[declined.pk], now=now)
    proposals.propose_plans(account_ids=[declined.pk], now=now)
    assert DeclineProposal.objects.count() == 1

    answer(declined, year=2026, scores={Topic.DELIVERY: 5})
    answer(declined, year=2026, scores={Topic.DELIVERY: 5})
    answer(declined, year=2026, scores={Topic.DELIVERY: 5})  # 2, 3, 5, 5, 5: 4.0, still below 4.5
    proposals.propose_plans(account_ids=[declined.pk], now=now)
    assert float(DeclineProposal.objects.get().current_score) == 4.0

    for _ in range(5):
        answer(declined, year=2026, scores={Topic.DELIVERY: 5})  # 2, 3 and eight 5s: 4.5, no decline any more
    proposals.propose_plans(account_ids=[declined.pk], now=now)
    assert not DeclineProposal.objects.exists()


def test_a_dimension_no_department_owns_goes_to_the_owners_department(quality: Any) -> None:
    owner = UserFactory.create(role=Role.ACCOUNT_MANAGER, department=quality)
    account = AccountFactory.create(owner=owner)
    answer(account, year=2025, scores={Topic.FIELD_SERVICE: 4})  # no field-service department here
    answer(account, year=2026, scores={Topic.FIELD_SERVICE: 3})

    proposals.propose_plans(account_ids=[account.pk], now=timezone.now())

    assert DeclineProposal.objects.get().department == quality


def test_a_first_survey_proposes_nothing(alice: Any, quality: Any) -> None:
    account = AccountFactory.create(owner=alice)
    answer(account, year=2026, scores={Topic.DELIVERY: 1})

    assert proposals.propose_plans(account_ids=[account.pk], now=timezone.now()) == 0


def test_the_owner_accepts_once_however_often_they_click(declined: Any, alice: Any, quality: Any) -> None:
    proposals.propose_plans(account_ids=[declined.pk], now=timezone.now())
    proposal = DeclineProposal.objects.get()

    first = proposals.accept_proposal(proposal=proposal, by=alice, now=timezone.now())
    second = proposals.accept_proposal(proposal=proposal, by=alice, now=timezone.now())

    assert first == second and ActionPlan.objects.count() == 1
    assert (first.owner, first.department, first.promise_on) == (alice, quality, proposal.suggested_promise_on)
    assert first.title == "Delivery: satisfaction fell from 4.5 to 2.5"
    proposal.refresh_from_db()
    assert (proposal.state, proposal.plan, proposal.decided_by) == (DeclineProposal.State.ACCEPTED, first, alice)


def test_dismissing_needs_a_reason_and_keeps_it(declined: Any, alice: Any) -> None:
    proposals.propose_plans(account_ids=[declined.pk], now=timezone.now())
    proposal = DeclineProposal.objects.get()

    with pytest.raises(ValidationError) as refused:
        proposals.dismiss_proposal(proposal=proposal, by=alice, reason="   ", now=timezone.now())
    assert "reason" in refused.value.message_dict
    proposals.dismiss_proposal(proposal=proposal, by=alice, reason="A one-off strike at the port.", now=timezone.now())

    proposal.refresh_from_db()
    assert (proposal.state, proposal.dismiss_reason) == ("dismissed", "A one-off strike at the port.")
    with pytest.raises(ValidationError):
        proposals.accept_proposal(proposal=proposal, by=alice, now=timezone.now())
    assert not ActionPlan.objects.exists()


def test_someone_else_may_not_decide(declined: Any, bob: Any) -> None:
    proposals.propose_plans(account_ids=[declined.pk], now=timezone.now())
    proposal = DeclineProposal.objects.get()

    with pytest.raises(PermissionDenied):
        proposals.accept_proposal(proposal=proposal, by=bob, now=timezone.now())
    with pytest.raises(PermissionDenied):
        proposals.dismiss_proposal(proposal=proposal, by=bob, reason="Not mine.", now=timezone.now())


def test_the_page_shows_the_decline_and_the_owner_accepts_it(declined: Any, alice: Any) -> None:
    proposals.propose_plans(account_ids=[declined.pk], now=timezone.now())
    client = Client()
    client.force_login(alice)

    page = client.get(reverse("yoy:page"), {"account": declined.pk})
    html = page.content.decode()
    proposal = DeclineProposal.objects.get()
    accepted = client.post(reverse("yoy:accept", args=[proposal.pk]))
    again = client.post(reverse("yoy:accept", args=[proposal.pk]))

    assert page.status_code == 200
    assert "▼ -2.00 · declined" in html and "Delivery: 4.5 → 2.5" in html and "Accept plan" in html
    assert 'id="yoy-chart" type="application/json"' in html and "<script>" not in html
    assert accepted.status_code == 302 and accepted["Location"] == again["Location"]
    assert ActionPlan.objects.count() == 1


def test_the_dismiss_form_refuses_a_blank_reason(declined: Any, alice: Any) -> None:
    proposals.propose_plans(account_ids=[declined.pk], now=timezone.now())
    proposal = DeclineProposal.objects.get()
    client = Client()
    client.force_login(alice)

    blank = client.post(reverse("yoy:dismiss", args=[proposal.pk]), {"reason": ""})
    done = client.post(reverse("yoy:dismiss", args=[proposal.pk]), {"reason": "Price rise, explained in person."})

    assert blank.status_code == 400 and "Say why no plan is needed" in blank.content.decode()
    assert done.status_code == 302
    assert DeclineProposal.objects.get().dismiss_reason == "Price rise, explained in person."


def test_a_confidential_accounts_comparison_and_proposals_stay_with_its_people(alice: Any, bob: Any) -> None:
    DepartmentFactory.create(name="Sales", slug="sales")  # pricing is Sales'
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    answer(secret, year=2025, scores={Topic.PRICING: 5})
    answer(secret, year=2026, scores={Topic.PRICING: 1})
    proposals.propose_plans(account_ids=[secret.pk], now=timezone.now())
    client = Client()
    client.force_login(bob)

    assert client.get(reverse("yoy:page"), {"account": secret.pk}).status_code == 404
    proposal = DeclineProposal.objects.get()
    assert client.post(reverse("yoy:accept", args=[proposal.pk])).status_code == 404
    overview = yearly.segments_year_over_year(user=bob)
    assert overview[0].comparison.current_year is None  # no answers bob may see
    assert yearly.segments_year_over_year(user=alice)[0].comparison.current_year == 2026


def test_segments_compare_their_accounts_years(erin: Any) -> None:
    industry, retail = SegmentFactory.create(name="Industry"), SegmentFactory.create(name="Retail")
    answer(AccountFactory.create(segment=industry), year=2025, scores={Topic.BILLING: 4})
    answer(AccountFactory.create(segment=industry), year=2026, scores={Topic.BILLING: 2})
    answer(AccountFactory.create(segment=retail), year=2026, scores={Topic.BILLING: 5})

    overview = {
        entry.segment.name if entry.segment else "all": entry for entry in yearly.segments_year_over_year(user=erin)
    }

    billing = {name: next(r for r in e.comparison.rows if r.dimension == "billing") for name, e in overview.items()}
    assert (billing["Industry"].previous, billing["Industry"].current) == (4.0, 2.0)
    assert (billing["Retail"].previous, billing["Retail"].current) == (None, 5.0)
    assert (billing["all"].previous, billing["all"].current) == (4.0, 3.5)


@pytest.mark.parametrize("accounts", [1, 20])
def test_the_yoy_reads_run_a_constant_number_of_queries(
    erin: Any, alice: Any, quality: Any, accounts: int, django_assert_num_queries: Any
) -> None:
    for _ in range(accounts):
        account = AccountFactory.create(owner=alice, segment=SegmentFactory.create())
        answer(account, year=2025, scores={Topic.DELIVERY: 5})
        answer(account, year=2026, scores={Topic.DELIVERY: 2})
    proposals.propose_plans(now=timezone.now())
    assert DeclineProposal.objects.count() == accounts
    client = Client()
    client.force_login(erin)

    with django_assert_num_queries(2):  # the answers by segment, year and dimension; the segments' names
        yearly.segments_year_over_year(user=erin)
    with django_assert_num_queries(0):  # the same for everyone who sees every account: kept in the cache
        yearly.segments_year_over_year(user=erin)
    with django_assert_num_queries(2):  # computed over what she may see (the team check is a subquery)
        yearly.segments_year_over_year(user=alice)
    yearly.forget_segments()
    with django_assert_num_queries(1):
        yearly.account_year_over_year(account=account)
    # session, user; answers by segment; segments; the proposals (+account, owner, department, plan,
    # campaigns); unread notifications; the menu's departments
    with django_assert_num_queries(7):
        assert client.get(reverse("yoy:page")).status_code == 200


def test_the_account_page_links_to_its_year_over_year_and_shows_proposals_on_its_timeline(
    declined: Any, alice: Any
) -> None:
    proposals.propose_plans(account_ids=[declined.pk], now=timezone.now())
    client = Client()
    client.force_login(alice)

    html = client.get(reverse("accounts:detail", args=[declined.pk])).content.decode()

    assert f"{reverse('yoy:page')}?account={declined.pk}" in html
    assert "Proposed plan: Delivery fell from 4.5 to 2.5" in html


def test_an_executive_may_decide_but_an_account_manager_of_another_account_may_not(declined: Any) -> None:
    exec_ = UserFactory.create(role=Role.EXECUTIVE)
    other = UserFactory.create(role=Role.ACCOUNT_MANAGER)
    proposals.propose_plans(account_ids=[declined.pk], now=timezone.now())
    proposal = DeclineProposal.objects.get()

    assert policies.can_decide_proposal(person=exec_, proposal=proposal)
    assert not policies.can_decide_proposal(person=other, proposal=proposal)


def test_a_submitted_survey_refreshes_the_comparison_kept_for_executives(
    erin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create()
    answer(account, year=2025, scores={Topic.DELIVERY: 4})
    assert yearly.segments_year_over_year(user=erin)[0].comparison.current_year == 2025
    response = answer(account, year=2026, scores={Topic.DELIVERY: 2})

    with django_capture_on_commit_callbacks(execute=True):
        events.responded(response)

    assert yearly.segments_year_over_year(user=erin)[0].comparison.current_year == 2026
