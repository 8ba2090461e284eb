"""review.scheduled and review.completed reach subscribed systems once, never about a confidential account."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from organization.models import User, WebhookDelivery
from organization.webhooks import services as webhooks
from reviews import services
from tests.factories import AccountFactory, ApiClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(engineering: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # refused by default; nothing is sent there in these tests
    client, _ = ApiClientFactory.create(department=engineering, can_write=True)
    webhooks.create_subscription(
        api_client=client, url="http://127.0.0.1:9/hook", events=["review.scheduled", "review.completed"]
    )


def hold_review(account: Any, owner: User) -> None:
    review = services.schedule_review(
        account=account,
        scheduled_for=timezone.now(),
        internal_attendees=[],
        customer_attendees=[],
        scheduled_by=owner,
        now=timezone.now(),
    )
    for _ in range(2):  # completing twice (a double click) tells them once
        services.record_minutes(
            review=review,
            recorded_by=owner,
            present_internal=[],
            present_customers=[],
            notes={},
            complete=True,
            now=timezone.now(),
        )


def test_a_reviews_life_emits_scheduled_then_completed_once(subscribed: None, alice: User) -> None:
    account = AccountFactory.create(owner=alice)
    hold_review(account, alice)
    deliveries = WebhookDelivery.objects.order_by("id")
    assert [d.event for d in deliveries] == ["review.scheduled", "review.completed"]
    assert all(d.payload["account"] == account.pk for d in deliveries)


def test_nothing_is_emitted_about_a_confidential_accounts_review(subscribed: None, alice: User) -> None:
    hold_review(AccountFactory.create(owner=alice, is_confidential=True), alice)
    assert not WebhookDelivery.objects.exists()
