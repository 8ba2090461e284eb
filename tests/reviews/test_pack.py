"""The review pack: what it holds, for whom, frozen when the review starts; scheduling tells the attendees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Account, TeamRole
from organization.models import Notification, Role, User
from reviews import services
from reviews.models import AccountReview, ReviewState
from tests.factories import (
    AccountFactory,
    AccountReviewFactory,
    ActionPlanFactory,
    ContactFactory,
    ContactLogFactory,
    DepartmentFactory,
    IssueFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def history(account: Account, rows: int, *, at: Any, department: Any, tag: str = "") -> None:
    """`rows` conversations, each raising an issue answered by a plan, at `at`."""
    for n in range(rows):
        log = ContactLogFactory.create(account=account, occurred_at=at, summary=f"{tag}conversation {n}", rating=4)
        issue = IssueFactory.create(
            contact_log=log, account=account, department=department, raised_by=account.owner, raised_at=at
        )
        plan = ActionPlanFactory.create(account=account, owner=account.owner, department=department)
        plan.issues.set([issue])


def schedule(account: Account, by: User, attendees: list[User], contacts: Any = ()) -> AccountReview:
    return services.schedule_review(
        account=account,
        scheduled_for=timezone.now() + timedelta(days=7),
        internal_attendees=attendees,
        customer_attendees=list(contacts),
        scheduled_by=by,
        now=timezone.now(),
    )


def pack_page(client: Any, review: AccountReview, viewer: User) -> str:
    client.force_login(viewer)
    answer = client.get(reverse("reviews:detail", args=[review.pk]))
    assert answer.status_code == 200
    return str(answer.content.decode())


def test_the_pack_holds_exactly_the_records_since_the_last_review(
    client: Any, alice: User, bob: User, engineering: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    last = timezone.now() - timedelta(days=90)
    AccountReviewFactory.create(account=account, scheduled_for=last, completed=True)
    history(account, 2, at=last - timedelta(days=5), department=engineering, tag="before ")
    history(account, 3, at=last + timedelta(days=5), department=engineering, tag="after ")
    history(AccountFactory.create(owner=alice), 1, at=timezone.now(), department=engineering, tag="elsewhere ")
    review = schedule(account, alice, [bob])

    page = pack_page(client, review, bob)

    assert review.since == last
    assert "3 conversations, average rating 4" in page
    assert "after conversation 0" in page and "after conversation 2" in page
    assert "before conversation" not in page and "elsewhere" not in page
    assert review.pack == {}  # not frozen yet: built for each viewer


def test_a_confidential_accounts_pack_opens_only_for_those_who_may_open_the_account(
    client: Any, alice: User, bob: User, erin: User, engineering: Any
) -> None:
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    history(secret, 1, at=timezone.now() - timedelta(days=1), department=engineering)
    review = schedule(secret, alice, [bob])
    client.force_login(bob)
    assert client.get(reverse("reviews:detail", args=[review.pk])).status_code == 404
    account_services.add_team_member(account=secret, user=bob, role=TeamRole.ENGINEERING, added_by=alice)
    assert "1 conversation" in pack_page(client, review, bob)
    assert "1 conversation" in pack_page(client, review, erin)


def test_the_pack_is_frozen_when_the_review_starts_a_later_issue_does_not_change_it(
    client: Any, alice: User, bob: User, engineering: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    history(account, 2, at=timezone.now() - timedelta(days=3), department=engineering)
    review = schedule(account, alice, [bob])
    started = services.start_review(review=review, started_by=alice, now=timezone.now())
    before = pack_page(client, started, bob)

    history(account, 3, at=timezone.now(), department=engineering, tag="later ")
    services.start_review(review=started, started_by=alice, now=timezone.now())  # a second start: no new pack

    after = pack_page(client, started, bob)
    assert started.state == ReviewState.STARTED
    assert "2 conversations" in before and "2 conversations" in after
    assert "later conversation" not in after
    assert "Frozen when the review started" in after
    assert started.pack["conversations"]["count"] == 2


def test_scheduling_tells_the_attendees_who_may_open_the_account_with_a_link(
    client: Any, alice: User, bob: User, engineering: Any
) -> None:
    quality = DepartmentFactory.create(name="Quality", slug="quality")
    carol = UserFactory.create(role=Role.STAFF, department=quality)
    dave = UserFactory.create(role=Role.STAFF, department=quality)
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    account_services.add_team_member(account=secret, user=carol, role=TeamRole.QUALITY, added_by=alice)
    contact = ContactFactory.create(account=secret, name="Pat Purchaser")

    review = schedule(secret, alice, [carol, dave], [contact])

    told = Notification.objects.filter(dedupe_key=f"review:{review.pk}:scheduled")
    assert [n.user for n in told] == [carol]  # dave is not on the confidential account's team
    notice = told.get()
    client.force_login(carol)
    assert client.get(notice.url).status_code == 200
    assert "Pat Purchaser" in pack_page(client, review, carol)


def test_only_the_accounts_editors_and_executives_schedule_and_start_reviews(
    alice: User, bob: User, erin: User
) -> None:
    account = AccountFactory.create(owner=alice)
    with pytest.raises(PermissionDenied):
        schedule(account, bob, [alice])
    review = schedule(account, erin, [alice])
    with pytest.raises(PermissionDenied):
        services.start_review(review=review, started_by=bob, now=timezone.now())


def test_a_second_open_review_is_a_field_error_and_writes_nothing(client: Any, alice: User, bob: User) -> None:
    account = AccountFactory.create(owner=alice)
    schedule(account, alice, [bob])
    client.force_login(alice)
    answer = client.post(
        reverse("reviews:create", args=[account.pk]),
        {"scheduled_for": "2026-12-20T10:00", "internal_attendees": [bob.pk]},
    )
    assert answer.status_code == 400
    assert "This account has a review open already." in answer.content.decode()
    assert AccountReview.objects.filter(account=account).count() == 1


def test_the_owner_schedules_from_the_account_page(client: Any, alice: User, bob: User) -> None:
    account = AccountFactory.create(owner=alice)
    contact = ContactFactory.create(account=account)
    client.force_login(alice)
    assert "Schedule a review" in client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    answer = client.post(
        reverse("reviews:create", args=[account.pk]),
        {"scheduled_for": when, "internal_attendees": [bob.pk], "customer_attendees": [contact.pk]},
    )
    review = AccountReview.objects.get(account=account)
    assert answer.status_code == 302 and answer["Location"] == reverse("reviews:detail", args=[review.pk])
    timeline = client.get(reverse("accounts:timeline", args=[account.pk])).content.decode()
    assert "Joint review" in timeline


@pytest.mark.parametrize("rows", [1, 8])
@pytest.mark.parametrize(
    ("frozen", "queries"),
    [
        # the page's own reads (session, user, the review with its attendees, its decisions, the layout), and
        # live, the pack's seven: conversations (figures, list), issues, the business calendar, plans,
        # escalations, health months; and the surveys' summary section's two (the period's answers, the years)
        (False, 19),
        # the frozen pack is one JSON column: no reads of the history at all; the minutes' attendance ×2
        (True, 12),
    ],
)
def test_the_pack_page_runs_a_constant_number_of_queries_as_history_grows(
    rows: int,
    frozen: bool,
    queries: int,
    client: Any,
    alice: User,
    bob: User,
    engineering: Any,
    django_assert_num_queries: Any,
) -> None:
    account = AccountFactory.create(owner=alice)
    history(account, rows, at=timezone.now() - timedelta(days=2), department=engineering)
    review = schedule(account, alice, [bob, alice])
    if frozen:
        review = services.start_review(review=review, started_by=alice, now=timezone.now())
    client.force_login(bob)
    client.get(reverse("reviews:detail", args=[review.pk]))  # the tier rules and calendar caches, as in use
    with django_assert_num_queries(queries):
        assert client.get(reverse("reviews:detail", args=[review.pk])).status_code == 200
