"""Minutes and decisions: attendance, notes per agenda item, decisions that become one plan each, and the next
review's pack opening with them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from actionplans.models import ActionPlan
from organization.models import User
from reviews import services
from reviews.models import AccountReview, ReviewDecision, ReviewState
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def started_review(account: Account, by: User, attendees: list[User], contacts: Any = ()) -> AccountReview:
    review = services.schedule_review(
        account=account,
        scheduled_for=timezone.now(),
        internal_attendees=attendees,
        customer_attendees=list(contacts),
        scheduled_by=by,
        now=timezone.now(),
    )
    return services.start_review(review=review, started_by=by, now=timezone.now())


def decide(review: AccountReview, by: User, owner: User, department: Any, text: str) -> ReviewDecision:
    return services.add_decision(
        review=review,
        text=text,
        owner=owner,
        department=department,
        promise_on=timezone.localdate() + timedelta(days=30),
        decided_by=by,
    )


def test_a_decision_becomes_one_plan_even_when_clicked_twice(
    client: Any, alice: User, bob: User, engineering: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    review = started_review(account, alice, [bob])
    decision = decide(review, alice, bob, engineering, "Send an engineer to the plant")
    client.force_login(alice)

    first = client.post(reverse("reviews:decision-plan", args=[decision.pk]))
    second = client.post(reverse("reviews:decision-plan", args=[decision.pk]))

    assert first.status_code == second.status_code == 302
    plan = ActionPlan.objects.get(account=account)
    assert (plan.owner, plan.department, plan.promise_on) == (bob, engineering, decision.promise_on)
    assert plan.title.startswith("Send an engineer to the plant")
    decision.refresh_from_db()
    assert decision.plan == plan and plan.review_decision == decision  # linked back to the review
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Plan: Open" in page and "Make a plan" not in page


def test_minutes_record_attendance_and_notes_and_completing_closes_the_review(
    client: Any, alice: User, bob: User
) -> None:
    account = AccountFactory.create(owner=alice)
    contact = ContactFactory.create(account=account, name="Pat Purchaser")
    review = started_review(account, alice, [bob], [contact])
    client.force_login(alice)

    answer = client.post(
        reverse("reviews:minutes", args=[review.pk]),
        {
            "present_internal": [bob.pk],
            "present_customers": [contact.pk],
            "note_issues": "Quality agreed to a weekly call.",
            "complete": "on",
        },
    )

    assert answer.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.COMPLETED and review.completed_at is not None
    assert list(review.present_internal.all()) == [bob]
    assert review.notes == {"issues": "Quality agreed to a weekly call."}
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Quality agreed to a weekly call." in page and "Pat Purchaser" in page


def test_the_next_pack_opens_with_the_last_reviews_decisions_and_their_status(
    client: Any, alice: User, bob: User, engineering: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    review = started_review(account, alice, [bob])
    planned = decide(review, alice, bob, engineering, "Replace the pump seals")
    decide(review, alice, alice, engineering, "Share the road map")
    services.make_plan_for_decision(decision=planned, by=alice, now=timezone.now())
    services.record_minutes(
        review=review,
        recorded_by=alice,
        present_internal=[bob],
        present_customers=[],
        notes={},
        complete=True,
        now=timezone.now(),
    )

    following = services.schedule_review(
        account=account,
        scheduled_for=timezone.now() + timedelta(days=90),
        internal_attendees=[bob],
        customer_attendees=[],
        scheduled_by=alice,
        now=timezone.now(),
    )
    client.force_login(bob)
    page = client.get(reverse("reviews:detail", args=[following.pk])).content.decode()

    assert following.since == AccountReview.objects.get(pk=review.pk).completed_at
    assert "Replace the pump seals" in page and "<strong>Open</strong>" in page
    assert "Share the road map" in page and "No plan made" in page


def test_a_decision_for_someone_who_may_not_open_the_confidential_account_is_a_field_error(
    alice: User, bob: User, engineering: Any
) -> None:
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    review = started_review(secret, alice, [])
    with pytest.raises(ValidationError) as refused:
        decide(review, alice, bob, engineering, "Bob fixes it")
    assert "owner" in refused.value.message_dict
    assert not ReviewDecision.objects.exists()
