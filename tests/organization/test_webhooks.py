from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from organization.models import ApiClient, WebhookDelivery, WebhookEvent, WebhookSubscription
from organization.webhooks import services, signing, targets
from tests.factories import ApiClientFactory
from tests.webhook_receiver import Receiver, serving

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status
PAYLOAD = {"plan": {"id": 7, "title": "Fix the late deliveries"}, "due_on": "2026-12-01"}


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    # The receiver listens on 127.0.0.1, which webhooks are refused by default: allow it, for these tests only.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with serving() as state:
        yield state


def subscribe(url: str, events: list[str], **client: Any) -> WebhookSubscription:
    api_client, _ = ApiClientFactory.create(can_write=True, **client)
    return services.create_subscription(api_client=api_client, url=url, events=events)


@pytest.fixture
def subscription(receiver: Receiver) -> WebhookSubscription:
    subscription = subscribe(receiver.url, [WebhookEvent.PLAN_ESCALATED])
    receiver.secret = subscription.secret
    return subscription


def attempt(delivery: WebhookDelivery, now: datetime) -> WebhookDelivery:
    """One deliver() that is expected to win its claim."""
    result = services.deliver(delivery_id=delivery.pk, now=now)
    assert result is not None
    return result


def due(delivery: WebhookDelivery) -> datetime:
    assert delivery.next_attempt_at is not None
    return delivery.next_attempt_at


def emit_one(now: datetime) -> WebhookDelivery:
    (delivery,) = services.emit(event=WebhookEvent.PLAN_ESCALATED, payload=PAYLOAD, now=now)
    return delivery


# ---------------------------------------------------------------------------------------------------------------
# emit: the outbox


def test_emit_records_a_delivery_only_for_active_subscribers_of_the_event(django_capture_on_commit_callbacks) -> None:
    wanted = subscribe("https://scheduling.example/hooks", ["plan.escalated", "plan.resolved"])
    subscribe("https://billing.example/hooks", ["issue.raised"])
    gone = subscribe("https://old.example/hooks", ["plan.escalated"])
    services.deactivate_subscription(subscription=gone, now=timezone.now())
    revoked = subscribe("https://revoked.example/hooks", ["plan.escalated"])
    ApiClient.objects.filter(pk=revoked.api_client_id).update(is_active=False)

    with django_capture_on_commit_callbacks() as queued:
        deliveries = services.emit(event="plan.escalated", payload=PAYLOAD, now=timezone.now())

    assert [d.subscription_id for d in deliveries] == [wanted.pk]
    assert WebhookDelivery.objects.get().status == Status.PENDING
    assert len(queued) == 1


def test_every_delivery_of_one_event_shares_its_event_id() -> None:
    subscribe("https://a.example/hooks", ["issue.raised"])
    subscribe("https://b.example/hooks", ["issue.raised"])
    deliveries = services.emit(event="issue.raised", payload={"issue": {"id": 3}}, now=timezone.now())
    assert len(deliveries) == 2
    assert len({d.event_id for d in deliveries}) == 1


def test_emitting_with_the_same_event_id_twice_records_it_once() -> None:
    subscribe("https://a.example/hooks", ["plan.created"])
    event_id = uuid.uuid4()
    services.emit(event="plan.created", payload={"plan": {"id": 1}}, now=timezone.now(), event_id=event_id)
    services.emit(event="plan.created", payload={"plan": {"id": 1}}, now=timezone.now(), event_id=event_id)
    assert WebhookDelivery.objects.count() == 1


def test_emit_with_no_subscribers_writes_nothing(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):  # the subscriptions
        assert services.emit(event="plan.resolved", payload={}, now=timezone.now()) == []


def test_an_unknown_event_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown webhook event"):
        services.emit(event="plan.exploded", payload={}, now=timezone.now())


def test_a_rolled_back_change_sends_nothing(subscription, receiver, django_capture_on_commit_callbacks) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        emit_one(timezone.now())
        raise RuntimeError("the escalation failed")
    assert queued == []
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_emit_delivers_after_the_commit_through_the_task(subscription, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = emit_one(timezone.now())
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    assert [r.signature_valid for r in receiver.requests] == [True]


# ---------------------------------------------------------------------------------------------------------------
# deliver: signing, retries, claims


def test_a_receiver_failing_twice_gets_the_event_once_on_the_third_attempt(subscription, receiver) -> None:
    receiver.script = [500, 500, 200]
    delivery = emit_one(timezone.now())

    outcomes = []
    now = delivery.created_at
    for _ in range(3):
        delivery = attempt(delivery, now)
        outcomes.append((delivery.status, delivery.attempts, delivery.last_status_code))
        now = delivery.next_attempt_at or now

    assert outcomes == [(Status.PENDING, 1, 500), (Status.PENDING, 2, 500), (Status.DELIVERED, 3, 200)]
    assert len(receiver.requests) == 3
    assert all(r.signature_valid for r in receiver.requests)
    assert [r.status for r in receiver.requests].count(200) == 1
    assert len({r.body for r in receiver.requests}) == 1  # the same bytes every time
    assert delivery.last_latency_ms is not None
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


def test_a_delivery_carries_the_documented_headers_and_envelope(subscription, receiver) -> None:
    delivery = emit_one(timezone.now())
    services.deliver(delivery_id=delivery.pk, now=delivery.created_at)
    (request,) = receiver.requests
    body = json.loads(request.body)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Connectivity-Event"] == "plan.escalated"
    assert request.headers["X-Connectivity-Delivery"] == str(delivery.pk)
    assert set(body) == {"event", "event_id", "occurred_at", "data"}
    assert body["event_id"] == str(delivery.event_id)
    assert body["data"] == PAYLOAD


def test_a_failed_attempt_is_retried_with_exponential_backoff(subscription, receiver) -> None:
    receiver.default = 503
    delivery = emit_one(timezone.now())
    start = delivery.created_at

    first = attempt(delivery, start)
    second = attempt(delivery, due(first))

    assert first.next_attempt_at == start + timedelta(seconds=60)
    assert second.next_attempt_at == first.next_attempt_at + timedelta(seconds=120)
    assert second.last_error == "HTTP 503 Service Unavailable"


def test_an_attempt_before_it_is_due_sends_nothing(subscription, receiver) -> None:
    receiver.default = 500
    delivery = emit_one(timezone.now())
    first = attempt(delivery, delivery.created_at)
    early = due(first) - timedelta(seconds=1)
    assert services.deliver(delivery_id=delivery.pk, now=early) is None
    assert len(receiver.requests) == 1


def test_a_timeout_counts_as_a_failed_attempt_with_backoff(subscription, receiver, settings) -> None:
    settings.WEBHOOK_TIMEOUT = 0.3
    receiver.delay = 1.5
    delivery = emit_one(timezone.now())

    delivery = attempt(delivery, delivery.created_at)

    assert delivery.status == Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error == "Timed out after 0.3 s"
    assert delivery.next_attempt_at == delivery.created_at + timedelta(seconds=60)
    assert delivery.last_latency_ms is not None
    assert 250 <= delivery.last_latency_ms < 1500


def test_an_unreachable_receiver_is_a_failed_attempt(receiver) -> None:
    subscription = subscribe("http://127.0.0.1:9/closed", ["plan.escalated"])  # discard port: nothing listens
    delivery = emit_one(timezone.now())
    delivery = attempt(delivery, delivery.created_at)
    assert delivery.subscription == subscription
    assert delivery.status == Status.PENDING
    assert delivery.last_error.startswith("Connection failed")


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(subscription, receiver) -> None:
    receiver.script = [302]
    delivery = emit_one(timezone.now())
    delivery = attempt(delivery, delivery.created_at)
    assert delivery.status == Status.PENDING
    assert delivery.last_status_code == 302
    assert len(receiver.requests) == 1


def test_a_delivery_fails_for_good_after_the_last_attempt(subscription, receiver) -> None:
    receiver.default = 500
    delivery = emit_one(timezone.now())
    now = delivery.created_at
    for _ in range(services.MAX_ATTEMPTS):
        delivery = attempt(delivery, now)
        now = delivery.next_attempt_at or now

    assert delivery.status == Status.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS == 8
    assert delivery.next_attempt_at is None
    assert services.deliver(delivery_id=delivery.pk, now=now + timedelta(days=1)) is None
    assert len(receiver.requests) == 8


def test_two_deliver_calls_for_one_attempt_send_once(subscription, receiver) -> None:
    receiver.default = 500
    delivery = emit_one(timezone.now())
    attempt(delivery, delivery.created_at)
    assert services.deliver(delivery_id=delivery.pk, now=delivery.created_at) is None
    assert len(receiver.requests) == 1


def test_a_delivered_delivery_is_never_sent_again(subscription, receiver) -> None:
    delivery = emit_one(timezone.now())
    services.deliver(delivery_id=delivery.pk, now=delivery.created_at)
    assert services.deliver(delivery_id=delivery.pk, now=delivery.created_at + timedelta(hours=1)) is None
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_one_attempt_once(receiver) -> None:
    subscription = subscribe(receiver.url, ["plan.escalated"])
    receiver.secret = subscription.secret
    receiver.delay = 0.2  # the winner is still sending while the others try
    now = timezone.now()
    # Written directly: emit() here would run its (eager) task at once, on commit.
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event="plan.escalated",
        event_id=uuid.uuid4(),
        payload={},
        next_attempt_at=now,
    )
    start = threading.Barrier(4)
    results: list[bool] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(services.deliver(delivery_id=delivery.pk, now=now) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [False, False, False, True]
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == Status.DELIVERED


def test_a_deactivated_subscription_gets_nothing_more(subscription, receiver) -> None:
    delivery = emit_one(timezone.now())
    services.deactivate_subscription(subscription=subscription, now=timezone.now())
    assert services.deliver(delivery_id=delivery.pk, now=delivery.created_at) is None
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert receiver.requests == []


def test_a_revoked_api_client_gets_nothing_more(subscription, receiver) -> None:
    delivery = emit_one(timezone.now())
    ApiClient.objects.filter(pk=subscription.api_client_id).update(is_active=False)
    delivery = attempt(delivery, delivery.created_at)
    assert delivery.status == Status.FAILED
    assert receiver.requests == []


# ---------------------------------------------------------------------------------------------------------------
# The re-sweep


def test_redeliver_due_sends_a_pending_delivery_whose_task_never_ran(subscription, receiver) -> None:
    lost = emit_one(timezone.now())  # its on-commit task never runs: this test's transaction never commits

    assert services.redeliver_due(now=timezone.now()) == 1  # eager Celery: the task runs here

    lost.refresh_from_db()
    assert lost.status == Status.DELIVERED
    assert len(receiver.requests) == 1


def test_redeliver_due_leaves_deliveries_that_are_not_due(subscription, receiver) -> None:
    receiver.default = 500
    delivery = emit_one(timezone.now())
    first = attempt(delivery, delivery.created_at)
    # The (eager) task reads the clock itself, as a worker would: move the clock, not just `now`.
    with time_machine.travel(due(first) - timedelta(seconds=1), tick=False):
        assert services.redeliver_due(now=timezone.now()) == 0
    with time_machine.travel(due(first), tick=False):
        assert services.redeliver_due(now=timezone.now()) == 1
    assert len(receiver.requests) == 2
    assert all(r.signature_valid for r in receiver.requests)


def test_the_redelivery_task_is_scheduled_every_minute(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["webhook-redelivery"]
    assert entry == {"task": "organization.tasks.redeliver_webhooks_task", "schedule": 60.0}


# ---------------------------------------------------------------------------------------------------------------
# Signatures


def test_a_signature_verifies_only_the_signed_body_with_the_right_secret() -> None:
    now = time.time()
    header = signing.sign(secret="whsec_one", body=b'{"a":1}', timestamp=int(now))
    assert signing.verify_signature("whsec_one", header, b'{"a":1}')
    assert not signing.verify_signature("whsec_one", header, b'{"a":2}')
    assert not signing.verify_signature("whsec_two", header, b'{"a":1}')
    assert not signing.verify_signature("whsec_one", "garbage", b'{"a":1}')


def test_a_stale_signature_is_refused_unless_the_check_is_off() -> None:
    header = signing.sign(secret="whsec_one", body=b"{}", timestamp=1_700_000_000)
    assert not signing.verify_signature("whsec_one", header, b"{}", now=1_700_000_301)
    assert signing.verify_signature("whsec_one", header, b"{}", now=1_700_000_299)
    assert signing.verify_signature("whsec_one", header, b"{}", tolerance=None)


# ---------------------------------------------------------------------------------------------------------------
# The API


def as_system(api: APIClient, token: str) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


NEW_HOOK = {"url": "https://scheduling.example/hooks", "events": ["plan.escalated", "issue.raised"]}


def test_a_write_client_subscribes_and_sees_the_secret_only_once(api, write_token) -> None:
    created = as_system(api, write_token).post(reverse("api:webhooks"), NEW_HOOK, format="json")
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    assert created["Location"] == reverse("api:webhook", kwargs={"pk": created.json()["id"]})

    detail = api.get(created["Location"]).json()
    listed = api.get(reverse("api:webhooks")).json()
    assert "secret" not in detail
    assert secret not in json.dumps(listed)
    assert detail["events"] == ["plan.escalated", "issue.raised"]
    assert WebhookSubscription.objects.get().secret == secret


def test_a_retried_subscribe_with_an_idempotency_key_creates_one_and_replays_the_secret(api, write_token) -> None:
    as_system(api, write_token)
    first = api.post(reverse("api:webhooks"), NEW_HOOK, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    retry = api.post(reverse("api:webhooks"), NEW_HOOK, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["secret"] == first.json()["secret"]
    assert WebhookSubscription.objects.count() == 1


def test_a_read_only_client_cannot_subscribe(api, read_token) -> None:
    response = as_system(api, read_token).post(reverse("api:webhooks"), NEW_HOOK, format="json")
    assert response.status_code == 403
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_HOOK, "url": "ftp://scheduling.example/hooks"}, "url"),
        ({**NEW_HOOK, "url": "not a url"}, "url"),
        ({**NEW_HOOK, "events": ["plan.exploded"]}, "events.0"),
        ({**NEW_HOOK, "events": []}, "events"),
    ],
)
def test_a_bad_subscription_is_a_400(api, write_token, body, field) -> None:
    response = as_system(api, write_token).post(reverse("api:webhooks"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_client_cannot_see_or_delete_another_clients_subscription(api, write_token) -> None:
    theirs = subscribe("https://billing.example/hooks", ["issue.raised"], name="billing")
    as_system(api, write_token)
    assert api.get(reverse("api:webhooks")).json()["results"] == []
    assert api.get(reverse("api:webhook", kwargs={"pk": theirs.pk})).status_code == 404
    assert api.get(reverse("api:webhook-deliveries", kwargs={"pk": theirs.pk})).status_code == 404
    assert api.delete(reverse("api:webhook", kwargs={"pk": theirs.pk})).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_delete_deactivates_the_subscription(api, write_token) -> None:
    created = as_system(api, write_token).post(reverse("api:webhooks"), NEW_HOOK, format="json").json()
    assert api.delete(reverse("api:webhook", kwargs={"pk": created["id"]})).status_code == 204
    assert api.get(reverse("api:webhook", kwargs={"pk": created["id"]})).json()["is_active"] is False


def test_a_read_only_client_cannot_delete(api, read_token) -> None:
    mine = services.create_subscription(
        api_client=ApiClient.objects.get(name="scheduling"), url="https://s.example/h", events=["plan.created"]
    )
    assert as_system(api, read_token).delete(reverse("api:webhook", kwargs={"pk": mine.pk})).status_code == 403


def test_deliveries_are_listed_newest_first_with_a_cursor(api, write_token) -> None:
    created = as_system(api, write_token).post(reverse("api:webhooks"), NEW_HOOK, format="json").json()
    for n in range(3):
        services.emit(event="issue.raised", payload={"issue": {"id": n}}, now=timezone.now())

    url = reverse("api:webhook-deliveries", kwargs={"pk": created["id"]})
    page = api.get(url, {"page_size": 2}).json()
    rest = api.get(page["next"]).json()

    assert [d["payload"]["issue"]["id"] for d in page["results"] + rest["results"]] == [2, 1, 0]
    assert page["results"][0]["status"] == "pending"
    assert rest["next"] is None


def test_an_admin_lists_every_subscription(api, admin_user) -> None:
    subscribe("https://a.example/hooks", ["issue.raised"])
    subscribe("https://b.example/hooks", ["plan.created"])
    api.force_authenticate(admin_user)
    assert len(api.get(reverse("api:webhooks")).json()["results"]) == 2


def test_a_person_who_is_not_an_admin_cannot_list_or_subscribe(api, bob) -> None:
    api.force_authenticate(bob)
    assert api.get(reverse("api:webhooks")).status_code == 403
    assert api.post(reverse("api:webhooks"), NEW_HOOK, format="json").status_code == 403


# ---------------------------------------------------------------------------------------------------------------
# The admins' deliveries page


def test_admins_see_the_latest_deliveries(client, admin_user) -> None:
    subscribe("https://a.example/hooks", ["account.priority_changed"], name="billing")
    services.emit(event="account.priority_changed", payload={"account": {"id": 4}}, now=timezone.now())
    client.force_login(admin_user)
    html = client.get(reverse("webhooks")).content.decode()
    assert "account.priority_changed" in html
    assert "billing" in html
    assert "Pending" in html


def test_the_deliveries_page_is_forbidden_to_others(client, bob) -> None:
    client.force_login(bob)
    assert client.get(reverse("webhooks")).status_code == 403


def test_the_deliveries_page_needs_a_login(client) -> None:
    assert client.get(reverse("webhooks")).status_code == 302


@pytest.mark.parametrize("count", [1, 20])
def test_the_deliveries_page_query_count_does_not_grow(client, admin_user, django_assert_num_queries, count) -> None:
    subscribe("https://a.example/hooks", ["plan.created"])
    for n in range(count):
        services.emit(event="plan.created", payload={"plan": {"id": n}}, now=timezone.now())
    client.force_login(admin_user)
    # session, user; the layout's unread count and the user's department; the deliveries (+subscription, client)
    with django_assert_num_queries(5):
        assert client.get(reverse("webhooks")).status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# Where webhooks may go (SSRF): public addresses only, unless WEBHOOK_ALLOWED_HOSTS lists the host

FORBIDDEN_URLS = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://10.0.0.5/",
    "http://169.254.169.254/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
    "http://app.localhost:8000/hooks",
    "https://192.168.1.10:8443/hooks",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://100.64.0.1/",
]


@dataclass
class FakeDns:
    """Answers for made-up names, one list of addresses per lookup (the last repeats), and the lookups made."""

    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    fake = FakeDns()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in fake.answers:
            return real(host, port, *args, **kwargs)
        fake.lookups.append(host)
        queue = fake.answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connection opened; one to any address but 127.0.0.1 is refused here, before anything leaves."""
    opened: list[tuple[str, int]] = []
    real = socket.create_connection

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        opened.append(address)
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError("the test refused it: no test traffic leaves 127.0.0.1")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return opened


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_a_subscription_to_a_local_or_private_address_is_a_400_on_its_url(api, write_token, url) -> None:
    response = as_system(api, write_token).post(reverse("api:webhooks"), {**NEW_HOOK, "url": url}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The request has invalid fields."
    assert list(body["errors"]) == ["url"]
    assert "public addresses only" in body["errors"]["url"][0]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://127.1/", "http://2130706433/", "http://0x7f.0.0.1/", "http://[2002:7f00:1::]/", "http://[::]/"]
)
def test_the_service_refuses_other_spellings_of_a_forbidden_address(url) -> None:
    with pytest.raises(ValidationError) as refused:
        subscribe(url, ["plan.created"])
    assert list(refused.value.message_dict) == ["url"]


def test_creating_a_subscription_asks_no_dns(monkeypatch) -> None:
    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("DNS was asked")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    assert subscribe("https://hooks.example/in", ["plan.created"]).url == "https://hooks.example/in"


def test_a_host_in_webhook_allowed_hosts_may_be_subscribed(api, write_token, settings) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    body = {**NEW_HOOK, "url": "http://127.0.0.1:8000/hooks"}
    assert as_system(api, write_token).post(reverse("api:webhooks"), body, format="json").status_code == 201


def test_the_allowed_hosts_are_empty_by_default() -> None:
    from connectivity import settings as project_settings

    assert project_settings.WEBHOOK_ALLOWED_HOSTS == []


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (["10.0.0.5"], "10.0.0.5, a private address"),
        (["93.184.216.34", "169.254.169.254"], "169.254.169.254, a link-local address"),
        (["::ffff:127.0.0.1"], "::ffff:127.0.0.1, a loopback address"),
    ],
)
def test_a_delivery_to_a_name_that_resolves_to_a_forbidden_address_is_refused_and_sends_nothing(
    dns, connections, answer, kind
) -> None:
    dns.answers["hooks.example"] = [answer]
    subscribe("http://hooks.example/in", [WebhookEvent.PLAN_ESCALATED])
    delivery = emit_one(timezone.now())

    delivery = attempt(delivery, delivery.created_at)

    assert connections == []
    assert delivery.status == Status.PENDING  # a failed attempt, retried later like any other
    assert (delivery.attempts, delivery.last_status_code) == (1, None)
    assert delivery.last_error.startswith(f"Refused: hooks.example resolves to {kind}.")
    assert delivery.next_attempt_at == delivery.created_at + timedelta(seconds=60)


def test_a_delivery_connects_to_the_address_it_checked_not_to_a_later_answer(dns, connections) -> None:
    dns.answers["hooks.example"] = [["93.184.216.34"], ["127.0.0.1"]]  # DNS rebinding: public, then loopback
    subscribe("http://hooks.example/in", [WebhookEvent.PLAN_ESCALATED])
    delivery = emit_one(timezone.now())

    delivery = attempt(delivery, delivery.created_at)

    assert dns.lookups == ["hooks.example"]
    assert connections == [("93.184.216.34", 80)]  # refused by the fixture: nothing left the machine
    assert delivery.last_error.startswith("Connection failed")


def test_a_host_taken_off_the_allowed_hosts_is_refused_at_the_next_delivery(subscription, receiver, settings) -> None:
    delivery = emit_one(timezone.now())
    settings.WEBHOOK_ALLOWED_HOSTS = []

    delivery = attempt(delivery, delivery.created_at)

    assert receiver.requests == []
    assert delivery.last_error.startswith("Refused: 127.0.0.1 is a loopback address.")


def test_an_allowed_name_is_sent_to_the_address_it_resolved_to_under_its_own_name(
    receiver, settings, dns, connections
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example"]
    dns.answers["hooks.example"] = [["127.0.0.1"]]
    subscription = subscribe(f"http://hooks.example:{receiver.port}/in", [WebhookEvent.PLAN_ESCALATED])
    receiver.secret = subscription.secret
    delivery = emit_one(timezone.now())

    delivery = attempt(delivery, delivery.created_at)

    assert delivery.status == Status.DELIVERED
    assert dns.lookups == ["hooks.example"]  # resolved once: the connection used that answer
    assert connections == [("127.0.0.1", receiver.port)]
    (request,) = receiver.requests
    assert request.headers["Host"] == f"hooks.example:{receiver.port}"
    assert request.signature_valid


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4 around 127.0.0.1
        ("0.0.0.0", "an unspecified address"),  # noqa: S104 - an address to refuse, not to bind
        ("::", "an unspecified address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("10.0.0.5", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.10", "a private address"),
        ("fc00::1", "a private address"),
        ("64:ff9b::a00:5", "a private address"),  # NAT64 around 10.0.0.5
        ("240.0.0.1", "a private address"),
        ("::127.0.0.1", "a reserved address"),
        ("100.64.0.1", "not a public address"),
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("::ffff:93.184.216.34", None),
    ],
)
def test_each_kind_of_address_is_named_and_only_public_ones_pass(address, kind) -> None:
    assert targets.forbidden_kind(ipaddress.ip_address(address)) == kind
