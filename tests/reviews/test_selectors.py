"""When joint reviews are due: each tier's cadence, the home pages' "reviews due" and the on-time KPI."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, AccountStatus, Tier, TierRule
from organization.models import User
from reviews import selectors
from tests.factories import AccountFactory, AccountReviewFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.get_current_timezone())


def account(tier: int, owner: User, *, reviewed_on: date | None = None, **fields: Any) -> Account:
    created = AccountFactory.create(owner=owner, tier=tier, **fields)
    Account.objects.filter(pk=created.pk).update(created_at=noon(date(2025, 11, 30)))
    if reviewed_on is not None:
        AccountReviewFactory.create(account=created, scheduled_for=noon(reviewed_on), completed=True)
    return created


def due_on(target: Account) -> date | None:
    row = selectors._with_review_dates(Account.objects.filter(pk=target.pk)).get()
    return selectors.review_due_on(tier=row.tier, last_reviewed_at=row.last_reviewed_at, created_at=row.created_at)


def test_review_due_dates_follow_the_tiers_cadence(alice: User) -> None:
    strategic = account(Tier.STRATEGIC, alice, reviewed_on=date(2026, 1, 31))
    key = account(Tier.KEY, alice, reviewed_on=date(2026, 1, 31))
    core = account(Tier.CORE, alice, reviewed_on=date(2026, 1, 31))
    never = account(Tier.STRATEGIC, alice)

    assert due_on(strategic) == date(2026, 4, 30)  # quarterly, the month's last day when it has no 31st
    assert due_on(key) == date(2026, 7, 31)  # half-yearly
    assert due_on(core) is None  # no joint review for Core
    assert due_on(never) == date(2026, 2, 28)  # a quarter after it became an account


def test_the_cadence_is_data_a_change_of_the_tier_rule_moves_the_due_dates(alice: User) -> None:
    key = account(Tier.KEY, alice, reviewed_on=date(2026, 1, 31))
    core = account(Tier.CORE, alice, reviewed_on=date(2026, 1, 31))
    rule = TierRule.objects.get(tier=Tier.KEY)
    rule.review_every_months = 4
    rule.save()
    TierRule.objects.filter(tier=Tier.CORE).update(review_every_months=12)
    core_rule = TierRule.objects.get(tier=Tier.CORE)
    core_rule.save()  # a save drops the cached rules

    assert due_on(key) == date(2026, 5, 31)
    assert due_on(core) == date(2027, 1, 31)


def test_the_latest_completed_review_counts_not_a_scheduled_one(alice: User) -> None:
    strategic = account(Tier.STRATEGIC, alice, reviewed_on=date(2026, 1, 10))
    AccountReviewFactory.create(account=strategic, scheduled_for=noon(date(2026, 4, 2)), completed=True)
    AccountReviewFactory.create(account=strategic, scheduled_for=noon(date(2026, 7, 1)))
    assert due_on(strategic) == date(2026, 7, 2)


def test_reviews_due_lists_the_accounts_i_own_or_sponsor_due_within_a_month(alice: User, erin: User) -> None:
    overdue = account(Tier.STRATEGIC, alice, reviewed_on=date(2026, 2, 1), name="Overdue Co")
    soon = account(Tier.KEY, alice, reviewed_on=date(2026, 1, 5), name="Soon Co", executive_sponsor=erin)
    account(Tier.KEY, alice, reviewed_on=date(2026, 5, 1), name="Later Co")  # due in November
    account(Tier.CORE, alice, name="Core Co")
    account(Tier.STRATEGIC, alice, name="Lost Co", status=AccountStatus.LOST)
    account(Tier.STRATEGIC, erin, name="Someone else's")

    mine = selectors.reviews_due(user=alice, today=TODAY)
    sponsored = selectors.reviews_due(user=erin, today=TODAY)

    assert [(d.account.name, d.due_on, d.is_overdue(TODAY)) for d in mine] == [
        ("Overdue Co", date(2026, 5, 1), True),
        ("Soon Co", date(2026, 7, 5), False),
    ]
    assert overdue.pk != soon.pk
    assert [d.account.name for d in sponsored] == ["Someone else's", "Soon Co"]


def test_reviews_due_is_one_query_however_many_accounts(alice: User, django_assert_num_queries: Any) -> None:
    for _ in range(6):
        account(Tier.STRATEGIC, alice, reviewed_on=date(2026, 2, 1))
    selectors.reviews_due(user=alice, today=TODAY)  # the tier rules are cached now
    with django_assert_num_queries(1):
        assert len(selectors.reviews_due(user=alice, today=TODAY)) == 6


def test_accounts_reviewed_on_time_counts_the_review_cadence_accounts_not_past_due(alice: User) -> None:
    account(Tier.STRATEGIC, alice, reviewed_on=date(2026, 2, 1))  # due 1 May: late
    account(Tier.STRATEGIC, alice, reviewed_on=date(2026, 5, 1))  # due 1 August
    account(Tier.KEY, alice, reviewed_on=date(2026, 3, 1))  # due 1 September
    account(Tier.CORE, alice)  # no cadence: not counted

    figure = selectors.reviewed_on_time(user=alice, today=TODAY)

    assert (figure.on_time, figure.total, figure.share) == (2, 3, 2 / 3)


def test_the_kpi_counts_a_confidential_account_only_for_those_who_may_open_it(
    alice: User, bob: User, erin: User
) -> None:
    account(Tier.STRATEGIC, alice, reviewed_on=date(2026, 2, 1), is_confidential=True)
    account(Tier.KEY, alice, reviewed_on=date(2026, 3, 1))
    assert selectors.reviewed_on_time(user=bob, today=TODAY).total == 1
    assert selectors.reviewed_on_time(user=erin, today=TODAY).total == 2


def test_the_owner_and_the_sponsor_see_reviews_due_on_their_home_pages(client: Any, alice: User, erin: User) -> None:
    today = timezone.localdate()
    account(Tier.STRATEGIC, alice, name="Quarterly Works", executive_sponsor=erin)
    Account.objects.filter(name="Quarterly Works").update(created_at=noon(today - timedelta(days=120)))
    for person in (alice, erin):
        client.force_login(person)
        page = client.get(reverse("home")).content.decode()
        assert "Reviews due" in page
        assert "Quarterly Works" in page and "never reviewed" in page


def test_the_kpi_page_shows_accounts_reviewed_on_time(client: Any, alice: User) -> None:
    today = timezone.localdate()
    late = account(Tier.STRATEGIC, alice)
    Account.objects.filter(pk=late.pk).update(created_at=noon(today - timedelta(days=200)))
    account(Tier.KEY, alice, reviewed_on=today - timedelta(days=10))
    client.force_login(alice)
    page = client.get(reverse("dashboards:kpis")).content.decode()
    assert "Accounts reviewed on time" in page
    assert "1 of 2 accounts due joint reviews" in page
