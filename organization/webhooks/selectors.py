"""Reads of webhook subscriptions and deliveries: scoped to who asks first, then shaped for the page or the API."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from organization import policies
from organization.models import ApiClient, User, WebhookDelivery, WebhookSubscription


def subscriptions_for(*, principal: ApiClient | User) -> QuerySet[WebhookSubscription]:
    """Scope first: an API client sees its own subscriptions, an admin sees all, anyone else none."""
    subscriptions = WebhookSubscription.objects.select_related("api_client")
    if isinstance(principal, ApiClient):
        return subscriptions.filter(api_client=principal)
    # Admins see every client's subscriptions; nobody else has any.
    return subscriptions if policies.can_list_subscriptions(principal=principal) else subscriptions.none()


def latest_deliveries(*, limit: int = 200) -> QuerySet[WebhookDelivery]:
    """For the admins' page: the newest deliveries with their subscription and client (one query)."""
    return WebhookDelivery.objects.select_related("subscription__api_client").order_by("-created_at", "-id")[:limit]


def deliveries_due(*, now: datetime) -> QuerySet[WebhookDelivery]:
    """Pending deliveries whose next attempt is due, the longest-waiting first."""
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at"
    )
