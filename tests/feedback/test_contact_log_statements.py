"""How many SQL statements logging a conversation costs: the service's share does not grow with its issues, and
the API and the quick log stay within a count that names each statement (docs/performance.md, "Contact-log
create"). Every routed issue still notifies its department and is told to the webhook subscribers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import selectors as account_selectors
from accounts.models import Account
from feedback import services
from feedback.models import ContactLog, Issue
from organization.models import Department, Notification, User, WebhookDelivery, WebhookSubscription
from tests.factories import (
    AccountFactory,
    ApiClientFactory,
    ContactFactory,
    DepartmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments(engineering: Department) -> list[Department]:
    """Three departments of two active members each (and one who left): whom routed issues notify."""
    others = [DepartmentFactory.create(name=name, slug=name.lower()) for name in ("Quality", "Billing")]
    for department in [engineering, *others]:
        UserFactory.create_batch(2, department=department)
        UserFactory.create(department=department, is_active=False)
    return [engineering, *others]


@pytest.fixture
def account(alice: User) -> Account:
    return AccountFactory.create(name="Northwind", owner=alice)


@pytest.fixture(autouse=True)
def _warm_cache() -> None:
    """A running server has the tier rules cached (each test starts with an empty cache)."""
    account_selectors.cached_tier_rules()


@pytest.fixture
def subscriber(engineering: Department) -> WebhookSubscription:
    client, _ = ApiClientFactory.create(name="ticketing", department=engineering)
    return WebhookSubscription.objects.create(
        api_client=client, url="https://ticketing.example/hooks", secret="whsec_test", events=["issue.raised"]
    )


def conversation(account: Account, departments: list[Department], issues: int) -> services.ContactLogInput:
    return services.ContactLogInput(
        account=account,
        occurred_at=timezone.now() - timedelta(hours=1),
        channel="phone",
        summary="The last shipment was late again.",
        topics=["delivery"],
        rating=3,
        issues=[
            services.IssueInput(department=departments[n % len(departments)], verbatim=f"Complaint {n}.")
            for n in range(issues)
        ],
    )


SERVICE = 10


@pytest.mark.parametrize("issues", [1, 2, 6])
def test_logging_a_conversation_costs_the_same_statements_whatever_its_issues(
    alice: User,
    account: Account,
    departments: list[Department],
    subscriber: WebhookSubscription,
    django_assert_num_queries: Any,
    issues: int,
) -> None:
    data = conversation(account, departments, issues)

    # the log, its history row, our participants; the issues; the departments' members, all their notifications;
    # the webhook subscriptions, all the deliveries; the account's contact clock (read, update). The tier rules
    # come from the cache.
    with django_assert_num_queries(SERVICE):
        services.log_contact(author=alice, data=data, now=timezone.now())

    assert Issue.objects.count() == issues
    assert Notification.objects.filter(kind="issue.routed").count() == 2 * issues
    assert WebhookDelivery.objects.filter(subscription=subscriber).count() == issues


def bench_body(account: Account, departments: list[Department]) -> dict[str, Any]:
    """The body `make bench` posts: a call with two issues for two departments."""
    return {
        "account": account.pk,
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "channel": "phone",
        "topics": ["delivery"],
        "summary": "Benchmark call: the last shipment was late again.",
        "rating": 3,
        "issues": [
            {"department": departments[1].pk, "verbatim": "The shipment was late.", "severity": "high"},
            {"department": departments[2].pk, "verbatim": "Invoice had the wrong PO.", "severity": "low"},
        ],
    }


# Outside the service: the account (with its owner, on whose behalf a client logs), every department once for all
# the issues, and the issues for the answer, which is otherwise built from what the request holds (feedback.api.rows).
API_AROUND_THE_SERVICE = 3
CREATE_BUDGET = 15  # issue #15: contact-log create with two issues in at most 15 statements


def test_the_api_logs_a_call_with_two_issues_for_a_client_in_a_fixed_number_of_statements(
    api: APIClient,
    account: Account,
    departments: list[Department],
    subscriber: WebhookSubscription,
    django_assert_num_queries: Any,
) -> None:
    _, token = ApiClientFactory.create(name="field-service", department=departments[0], can_write=True)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    api.get(reverse("api:accounts"))  # a running system: its hourly "token used" audit row is written already

    with django_assert_num_queries(API_AROUND_THE_SERVICE + SERVICE):  # the token's client is cached
        response = api.post(reverse("api:contact-logs"), bench_body(account, departments), format="json")
    assert API_AROUND_THE_SERVICE + SERVICE <= CREATE_BUDGET

    assert response.status_code == 201
    assert ContactLog.objects.get().author == account.owner
    assert Notification.objects.filter(kind="issue.routed").count() == 4
    assert WebhookDelivery.objects.count() == 2


def test_the_api_logs_a_call_with_two_issues_for_a_person_in_a_fixed_number_of_statements(
    api: APIClient,
    bob: User,
    account: Account,
    departments: list[Department],
    subscriber: WebhookSubscription,
    django_assert_num_queries: Any,
) -> None:
    api.force_authenticate(bob)

    with django_assert_num_queries(API_AROUND_THE_SERVICE + SERVICE):
        response = api.post(reverse("api:contact-logs"), bench_body(account, departments), format="json")

    assert response.status_code == 201
    assert ContactLog.objects.get().author == bob
    assert Notification.objects.filter(kind="issue.routed").count() == 4


def test_the_quick_log_logs_a_call_with_two_issues_in_a_fixed_number_of_statements(
    client: Any,
    alice: User,
    account: Account,
    departments: list[Department],
    subscriber: WebhookSubscription,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(alice)
    form = {
        "account": account.pk,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "topics": ["delivery"],
        "summary": "The last shipment was late again.",
        "rating": "3",
        "submission": "a" * 32,
        "issues-0-severity": "high",
        "issues-0-department": departments[1].pk,
        "issues-0-verbatim": "The shipment was late.",
        "issues-1-severity": "low",
        "issues-1-department": departments[2].pk,
        "issues-1-verbatim": "Invoice had the wrong PO.",
    }

    # the session, the user; the account (the form's field, the page's own), each row's department; the form's
    # transaction (a savepoint here; uncounted BEGIN/COMMIT in production), its one-time token claimed in a
    # savepoint of its own; the service; the token's stored answer; the issues counted for the message
    with django_assert_max_num_queries(2 + 2 + 2 + 2 + 3 + SERVICE + 1 + 1):
        response = client.post(reverse("feedback:log"), form)

    assert response.status_code == 302
    assert Notification.objects.filter(kind="issue.routed").count() == 4


@pytest.mark.parametrize("caller", ["client", "person"])
def test_the_create_answer_is_the_body_a_get_of_the_log_answers_byte_for_byte(
    api: APIClient, bob: User, account: Account, departments: list[Department], caller: str
) -> None:
    # Built from the request's own objects, not read back: it must still be what the log's GET says.
    if caller == "client":
        _, token = ApiClientFactory.create(name="erp", department=departments[0], can_write=True)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    else:
        api.force_authenticate(bob)
    zed, ann = UserFactory.create(full_name="Zed Zimmer"), UserFactory.create(full_name="Ann Adams")
    low, high = (
        ContactFactory.create(account=account, name="Lou", influence=2),
        ContactFactory.create(account=account, name="Hana", influence=5),
    )
    body = {
        **bench_body(account, departments),
        "occurred_at": "2026-11-30T09:15:30.123456+01:00",
        "topics": ["delivery", "billing", "delivery"],
        "rating_comment": "  Fine, but late.  ",
        "our_participants": [zed.pk, ann.pk],
        "their_participants": [low.pk, high.pk],
    }

    created = api.post(reverse("api:contact-logs"), body, format="json")

    assert created.status_code == 201, created.content
    fetched = api.get(created["Location"])
    assert fetched.status_code == 200
    assert created.content == fetched.content
    assert created["ETag"] == fetched["ETag"]
    author = bob if caller == "person" else account.owner
    assert created.json()["our_participants"] == [p.pk for p in sorted([zed, ann, author], key=lambda u: u.full_name)]
    assert created.json()["their_participants"] == [high.pk, low.pk]  # the most influential first
    assert created.json()["topics"] == ["delivery", "billing"]


@pytest.mark.parametrize(
    ("department", "message"),
    [
        (999999, 'Invalid pk "999999" - object does not exist.'),
        ("abc", "Incorrect type. Expected pk value, received str."),
        (True, "Incorrect type. Expected pk value, received bool."),
        (None, "This field may not be null."),
    ],
)
def test_a_bad_department_on_an_issue_is_refused_by_row_as_before(
    api: APIClient, bob: User, account: Account, departments: list[Department], department: Any, message: str
) -> None:
    api.force_authenticate(bob)
    body = bench_body(account, departments)
    body["issues"][1]["department"] = department

    response = api.post(reverse("api:contact-logs"), body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"issues.1.department": [message]}  # the row and field, the first row fine
    assert not ContactLog.objects.exists()
