"""Every webhook write: subscribing and unsubscribing, the outbox (`emit`), one delivery attempt and the re-sweep.

The flow and its guarantees are in organization/webhooks/__init__.py and docs/webhooks.md.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F

from organization import tasks
from organization.models import ApiClient, WebhookDelivery, WebhookEvent, WebhookSubscription
from organization.webhooks import selectors, targets, transport
from organization.webhooks.signing import sign

Status = WebhookDelivery.Status

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
MAX_ACTIVE_SUBSCRIPTIONS = 20  # per API client: bounds the fan-out of one event
SWEEP_BATCH = 1000
USER_AGENT = "Connectivity-Webhooks/1"


# ---------------------------------------------------------------------------------------------------------------
# Subscriptions


def _new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


@transaction.atomic
def create_subscription(*, api_client: ApiClient, url: str, events: list[str]) -> WebhookSubscription:
    """Subscribe a client to events. The returned object's `secret` is the only time the caller sees it.

    A URL on a loopback, private, link-local or other non-public address is refused (ValidationError on `url`)
    unless settings.WEBHOOK_ALLOWED_HOSTS lists its host: see organization.webhooks.targets.
    """
    # Lock the client row so two concurrent creates cannot both slip under the cap.
    ApiClient.objects.select_for_update().filter(pk=api_client.pk).first()
    if api_client.webhook_subscriptions.filter(is_active=True).count() >= MAX_ACTIVE_SUBSCRIPTIONS:
        raise ValidationError(f"An API client may have at most {MAX_ACTIVE_SUBSCRIPTIONS} active webhooks.")
    subscription = WebhookSubscription(
        api_client=api_client,
        url=url,
        secret=_new_secret(),
        events=list(dict.fromkeys(events)),  # full_clean() checks each is a known event
    )
    subscription.full_clean()
    try:
        targets.check_url(subscription.url)  # and again at every delivery, on the addresses the name resolves to
    except targets.ForbiddenTarget as refused:
        raise ValidationError({"url": [str(refused)]}) from None
    subscription.save()
    return subscription


@transaction.atomic
def deactivate_subscription(*, subscription: WebhookSubscription, now: datetime) -> WebhookSubscription:
    """Stop a subscription. Its pending deliveries are given up (failed), so nothing more is sent to it."""
    WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
    WebhookDelivery.objects.filter(subscription=subscription, status=Status.PENDING).update(
        status=Status.FAILED, next_attempt_at=None, last_error="The subscription was deactivated."
    )
    subscription.is_active = False
    return subscription


# ---------------------------------------------------------------------------------------------------------------
# The outbox


@dataclass(frozen=True)
class OutgoingEvent:
    """One event for emit_many: what emit takes, as a value."""

    event: str
    payload: Mapping[str, Any]
    event_id: uuid.UUID | None = None


def emit(
    *, event: str, payload: Mapping[str, Any], now: datetime, event_id: uuid.UUID | None = None
) -> list[WebhookDelivery]:
    """Record `event` for every active subscriber, and queue the deliveries for after the caller's commit.

    Call it inside the transaction that makes the change (the outbox): if that rolls back, nothing is sent.
    `payload` becomes the body's `data`; keep it to what any subscribing API client may read through the API
    (ids and a few fields; never anything about a confidential account). Dates, decimals and UUIDs are fine.
    Pass a deterministic `event_id` (e.g. uuid5) to make repeating the same emit a no-op.
    """
    return emit_many(events=[OutgoingEvent(event=event, payload=payload, event_id=event_id)], now=now)


def emit_many(*, events: Sequence[OutgoingEvent], now: datetime) -> list[WebhookDelivery]:
    """emit for several events at once (one conversation's issues, a sweep batch's escalations): one read of the
    subscriptions and one INSERT of every delivery, whatever the number of events; each delivery's task is queued
    after the caller's commit. An unknown event or a payload that is not JSON raises before anything is written."""
    for item in events:
        if item.event not in WebhookEvent.values:
            raise ValueError(f"Unknown webhook event {item.event!r}; add it to organization.models.WebhookEvent first.")
    if not events:
        return []
    # Few subscriptions, and JSON containment is not portable to SQLite: filter the event lists in Python.
    subscriptions = list(
        WebhookSubscription.objects.filter(is_active=True, api_client__is_active=True).only("pk", "events")
    )
    fresh: list[WebhookDelivery] = []  # a new event id each: no repeat is possible, the INSERT returns the ids
    repeatable: list[WebhookDelivery] = []  # a caller's event id: the same emit again must be a no-op
    for item in events:
        subscribers = [s for s in subscriptions if item.event in s.events]
        if not subscribers:
            continue
        data = json.loads(json.dumps(dict(item.payload), cls=DjangoJSONEncoder))  # fail here, in the caller
        event_id = item.event_id or uuid.uuid4()
        (fresh if item.event_id is None else repeatable).extend(
            WebhookDelivery(
                subscription=s, event=item.event, event_id=event_id, payload=data, next_attempt_at=now, created_at=now
            )
            for s in subscribers
        )
    if not (fresh or repeatable):
        return []
    # No savepoint of its own (two statements more in a caller's transaction): what can fail is checked above.
    with transaction.atomic(savepoint=False):
        deliveries = WebhookDelivery.objects.bulk_create(fresh, batch_size=SWEEP_BATCH)
        if repeatable:
            WebhookDelivery.objects.bulk_create(repeatable, ignore_conflicts=True, batch_size=SWEEP_BATCH)
            wanted = {(d.event_id, d.subscription_id) for d in repeatable}
            recorded = WebhookDelivery.objects.filter(
                event_id__in={e for e, _ in wanted}, subscription__in={s for _, s in wanted}, status=Status.PENDING
            )
            deliveries += [d for d in recorded if (d.event_id, d.subscription_id) in wanted]
        for delivery in deliveries:
            tasks.deliver_webhook_task.delay_on_commit(delivery.pk)
    return deliveries


def body_for(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent, the same on every attempt: `{"event", "event_id", "occurred_at", "data"}`."""
    envelope = {
        "event": delivery.event,
        "event_id": str(delivery.event_id),
        "occurred_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()


def backoff(attempts: int) -> timedelta:
    """How long after failed attempt number `attempts` (1-based) the next one is due: 1, 2, 4 … 64 minutes."""
    return BACKOFF_BASE * (1 << attempts)


# ---------------------------------------------------------------------------------------------------------------
# Delivery


def deliver(*, delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Make one attempt at a due, pending delivery. Returns it updated, or None when there was nothing to do.

    Safe to call twice, from two workers at once: the conditional UPDATE that claims the attempt matches only a
    pending row that is due, and moves `next_attempt_at` past `now` by a lease, so only one caller sends. The
    request goes out after that claim is committed and holds no lock or transaction while it waits.
    """
    timeout = transport.timeout()
    lease = timedelta(seconds=max(120.0, 4 * timeout))
    with transaction.atomic():
        won = WebhookDelivery.objects.filter(pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now).update(
            attempts=F("attempts") + 1, next_attempt_at=now + lease
        )
        if not won:
            return None
        delivery = WebhookDelivery.objects.select_related("subscription__api_client").get(pk=delivery_id)
    subscription = delivery.subscription
    attempt = delivery.attempts
    if not (subscription.is_active and subscription.api_client.is_active):  # stopped or revoked since the emit
        WebhookDelivery.objects.filter(pk=delivery_id, attempts=attempt).update(
            status=Status.FAILED, next_attempt_at=None, last_error="The subscription or its API client was deactivated."
        )
        delivery.refresh_from_db()
        return delivery

    body = body_for(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Connectivity-Event": delivery.event,
        "X-Connectivity-Delivery": str(delivery.pk),
        # The moment of sending, from the wall clock (not `now`, the scheduling time): receivers check freshness.
        "X-Connectivity-Signature": sign(secret=subscription.secret, body=body, timestamp=int(time.time())),
    }
    started = time.monotonic()
    status_code, error = transport.post(url=subscription.url, body=body, headers=headers, timeout=timeout)
    latency_ms = round((time.monotonic() - started) * 1000)

    outcome: dict[str, Any] = {"last_status_code": status_code, "last_error": error, "last_latency_ms": latency_ms}
    if status_code is not None and 200 <= status_code < 300:
        outcome.update(status=Status.DELIVERED, delivered_at=now, next_attempt_at=None, last_error="")
    elif attempt >= MAX_ATTEMPTS:
        outcome.update(status=Status.FAILED, next_attempt_at=None)
    else:
        outcome.update(next_attempt_at=now + backoff(attempt))
        if not error:
            outcome["last_error"] = f"HTTP {status_code}"
    # Only the holder of this attempt records it: if the lease ran out and another worker claimed the next
    # attempt, that worker's result is the one that counts.
    WebhookDelivery.objects.filter(pk=delivery_id, status=Status.PENDING, attempts=attempt).update(**outcome)
    delivery.refresh_from_db()
    return delivery


def redeliver_due(*, now: datetime) -> int:
    """Queue a delivery task for every pending delivery that is due: retries, and rows whose task was lost.

    A row may be queued twice (its first task still waiting in the broker); the claim in deliver() makes the
    second task a no-op. Returns how many were queued.
    """
    ids = list(selectors.deliveries_due(now=now).values_list("pk", flat=True)[:SWEEP_BATCH])
    for delivery_id in ids:
        tasks.deliver_webhook_task.delay(delivery_id)
    return len(ids)
