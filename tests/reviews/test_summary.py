"""The customer's one-page summary: decisions and promise dates, emailed to their attendees once, on the
timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from organization.models import User
from reviews import services
from reviews.models import AccountReview
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def held_review(alice: User, bob: User, engineering: Any, *, complete: bool = True) -> AccountReview:
    account = AccountFactory.create(owner=alice, name="Northwind Turbines")
    pat = ContactFactory.create(account=account, name="Pat Purchaser", email="pat@northwind.example")
    nobody = ContactFactory.create(account=account, name="No Mail", email="")
    review = services.schedule_review(
        account=account,
        scheduled_for=timezone.now(),
        internal_attendees=[bob],
        customer_attendees=[pat, nobody],
        scheduled_by=alice,
        now=timezone.now(),
    )
    review = services.start_review(review=review, started_by=alice, now=timezone.now())
    services.add_decision(
        review=review,
        text="Send an engineer to the plant",
        owner=bob,
        department=engineering,
        promise_on=timezone.localdate() + timedelta(days=20),
        decided_by=alice,
    )
    return services.record_minutes(
        review=review,
        recorded_by=alice,
        present_internal=[bob],
        present_customers=[pat],
        notes={"issues": "Internal remark: margins are thin."},
        complete=complete,
        now=timezone.now(),
    )


def test_the_summary_goes_once_to_the_customers_attendees_with_decisions_and_dates_only(
    client: Any, alice: User, bob: User, engineering: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    review = held_review(alice, bob, engineering)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:send-summary", args=[review.pk]))
        client.post(reverse("reviews:send-summary", args=[review.pk]))

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["pat@northwind.example"]
    promise = timezone.localdate() + timedelta(days=20)
    assert f"Send an engineer to the plant (Bob Builder), by {promise:%d %B %Y}" in mail.body
    assert "margins" not in mail.body  # our minutes stay ours
    timeline = client.get(reverse("accounts:timeline", args=[review.account_id])).content.decode()
    assert "Review summary sent to the customer" in timeline


def test_no_summary_before_the_review_is_completed(alice: User, bob: User, engineering: Any, mailoutbox: Any) -> None:
    review = held_review(alice, bob, engineering, complete=False)
    with pytest.raises(ValidationError):
        services.send_customer_summary(review=review, sent_by=alice, now=timezone.now())
    assert AccountReview.objects.get(pk=review.pk).summary_sent_at is None
    assert mailoutbox == []
