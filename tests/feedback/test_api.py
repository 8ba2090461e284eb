from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Account, Tier
from feedback.models import ContactLog, Issue, IssueHandoff, IssueStatus
from organization.models import Department, Notification, Role, User
from tests.factories import (
    AccountFactory,
    ApiClientFactory,
    ContactFactory,
    ContactLogFactory,
    DepartmentFactory,
    IssueFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOG_FIELDS = {
    "id",
    "account",
    "account_name",
    "occurred_at",
    "channel",
    "topics",
    "summary",
    "rating",
    "rating_comment",
    "next_contact_on",
    "author",
    "author_name",
    "our_participants",
    "their_participants",
    "issues",
    "version",
    "created_at",
    "updated_at",
}


def as_system(api: APIClient, token: str) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def as_person(api: APIClient, user: User) -> APIClient:
    api.force_authenticate(user)
    return api


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def log_url(log: ContactLog) -> str:
    return reverse("api:contact-log", kwargs={"pk": log.pk})


def issue_url(issue: Issue, action: str = "") -> str:
    return reverse(f"api:issue{'-' + action if action else ''}", kwargs={"pk": issue.pk})


@pytest.fixture
def departments(engineering: Department) -> dict[str, Department]:
    others = {slug: DepartmentFactory.create(name=slug.title(), slug=slug) for slug in ("quality", "billing")}
    return {"engineering": engineering, **others}


@pytest.fixture
def members(departments: dict[str, Department], bob: User) -> None:
    """bob in engineering, two people each in quality and billing: the five people routed issues notify."""
    for slug in ("quality", "billing"):
        UserFactory.create_batch(2, department=departments[slug])


@pytest.fixture
def account(alice: User) -> Account:
    return AccountFactory.create(name="Northwind", owner=alice)


@pytest.fixture
def secret(alice: User) -> Account:
    """A confidential account owned by alice: hidden from bob (off its team) and from API clients."""
    return AccountFactory.create(name="Hush Industries", owner=alice, is_confidential=True)


def payload(account: Account, departments: dict[str, Department], **overrides: Any) -> dict[str, Any]:
    contact = ContactFactory.create(account=account, name="Carla Customer")
    body = {
        "account": account.pk,
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "channel": "site_visit",
        "topics": ["quality", "delivery"],
        "summary": "The line stopped twice this month; they want a named engineer.",
        "rating": 2,
        "rating_comment": "Slipping.",
        "our_participants": [],
        "their_participants": [contact.pk],
        "next_contact_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "issues": [
            {"severity": "high", "department": departments["quality"].pk, "verbatim": "Cracks in batch 114."},
            {"severity": "low", "department": departments["billing"].pk, "verbatim": "Billed twice in March."},
            {"department": departments["engineering"].pk, "verbatim": "The firmware update bricked a unit."},
        ],
    }
    return {**body, **overrides}


def counts() -> tuple[int, int, int]:
    return ContactLog.objects.count(), Issue.objects.count(), Notification.objects.count()


# --- create ----------------------------------------------------------------------------------------------------


def test_a_log_with_three_issues_routes_each_to_its_department(
    api: APIClient, alice: User, account: Account, departments: dict[str, Department], members: Any
) -> None:
    response = as_person(api, alice).post(reverse("api:contact-logs"), payload(account, departments), format="json")

    assert response.status_code == 201
    log = ContactLog.objects.get()
    assert response["Location"] == log_url(log)
    assert response["ETag"] == '"1"'
    assert set(response.json()) == LOG_FIELDS
    assert sorted(log.issues.values_list("department__slug", "severity", "verbatim")) == [
        ("billing", "low", "Billed twice in March."),
        ("engineering", "medium", "The firmware update bricked a unit."),
        ("quality", "high", "Cracks in batch 114."),
    ]
    assert [row["department"] for row in response.json()["issues"]] == [
        departments["quality"].pk,
        departments["billing"].pk,
        departments["engineering"].pk,
    ]
    assert log.author == alice
    assert Notification.objects.count() == 5  # the two members of quality and of billing; engineering's bob


def test_an_api_client_logs_on_behalf_of_the_account_owner(
    api: APIClient, write_token: str, alice: User, account: Account, departments: dict[str, Department]
) -> None:
    response = as_system(api, write_token).post(
        reverse("api:contact-logs"), payload(account, departments), format="json"
    )

    assert response.status_code == 201
    assert response.json()["author"] == alice.pk
    assert ContactLog.objects.get().author == alice


def test_one_bad_issue_row_is_a_field_level_400_and_saves_nothing(
    api: APIClient, alice: User, account: Account, departments: dict[str, Department], members: Any
) -> None:
    body = payload(account, departments)
    body["issues"][1]["verbatim"] = "   "
    before = counts()

    response = as_person(api, alice).post(reverse("api:contact-logs"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"issues.1.verbatim"}
    assert counts() == before


def test_a_refusal_by_the_service_is_a_400_and_saves_nothing(
    api: APIClient, alice: User, account: Account, departments: dict[str, Department], members: Any
) -> None:
    body = payload(account, departments, occurred_at=(timezone.now() + timedelta(days=1)).isoformat())
    before = counts()

    response = as_person(api, alice).post(reverse("api:contact-logs"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"occurred_at"}
    assert counts() == before


def test_an_account_the_caller_may_not_see_is_a_400_that_reveals_nothing(
    api: APIClient, write_token: str, secret: Account, departments: dict[str, Department]
) -> None:
    response = as_system(api, write_token).post(
        reverse("api:contact-logs"), payload(secret, departments), format="json"
    )

    assert response.status_code == 400
    # word for word what an id no account has gets; the account's contacts are as hidden as the account
    assert response.json()["errors"]["account"] == [f'Invalid pk "{secret.pk}" - object does not exist.']
    assert set(response.json()["errors"]) == {"account", "their_participants"}
    assert not ContactLog.objects.exists()


def test_a_read_only_client_cannot_log(
    api: APIClient, read_token: str, account: Account, departments: dict[str, Department]
) -> None:
    response = as_system(api, read_token).post(
        reverse("api:contact-logs"), payload(account, departments), format="json"
    )

    assert response.status_code == 403
    assert not ContactLog.objects.exists()


# --- idempotency -----------------------------------------------------------------------------------------------


def test_a_post_retried_with_its_key_creates_one_log_and_answers_the_same_each_time(
    api: APIClient, write_token: str, account: Account, departments: dict[str, Department], members: Any
) -> None:
    body = payload(account, departments)
    as_system(api, write_token)

    responses = [
        api.post(reverse("api:contact-logs"), body, format="json", headers={"Idempotency-Key": "log-7f3a"})
        for _ in range(3)
    ]

    assert ContactLog.objects.count() == 1
    assert Issue.objects.count() == 3
    assert Notification.objects.count() == 5
    assert [(r.status_code, r.json()) for r in responses] == [(201, responses[0].json())] * 3
    assert [r.headers.get("Idempotent-Replayed") for r in responses] == [None, "true", "true"]
    assert {r["Location"] for r in responses} == {log_url(ContactLog.objects.get())}


def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(
    api: APIClient, write_token: str, account: Account, departments: dict[str, Department]
) -> None:
    as_system(api, write_token)
    body = payload(account, departments)
    api.post(reverse("api:contact-logs"), body, format="json", headers={"Idempotency-Key": "log-1"})

    response = api.post(
        reverse("api:contact-logs"), {**body, "rating": 5}, format="json", headers={"Idempotency-Key": "log-1"}
    )

    assert response.status_code == 422
    assert set(response.json()) == {"detail", "errors"}
    assert ContactLog.objects.count() == 1
    assert Issue.objects.count() == 3


def test_a_key_belongs_to_its_client_so_another_client_may_use_the_same_string(
    api: APIClient, write_token: str, account: Account, departments: dict[str, Department]
) -> None:
    _, billing_token = ApiClientFactory.create(name="billing", can_write=True)
    body = payload(account, departments)

    first = as_system(APIClient(), write_token).post(
        reverse("api:contact-logs"), body, format="json", headers={"Idempotency-Key": "shared"}
    )
    second = as_system(APIClient(), billing_token).post(
        reverse("api:contact-logs"), body, format="json", headers={"Idempotency-Key": "shared"}
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second.headers
    assert ContactLog.objects.count() == 2


def test_a_bad_issue_row_is_answered_the_same_on_retry_and_still_saves_nothing(
    api: APIClient, alice: User, account: Account, departments: dict[str, Department]
) -> None:
    body = payload(account, departments)
    body["issues"][2]["severity"] = "apocalyptic"
    as_person(api, alice)

    first = api.post(reverse("api:contact-logs"), body, format="json", headers={"Idempotency-Key": "k"})
    retry = api.post(reverse("api:contact-logs"), body, format="json", headers={"Idempotency-Key": "k"})

    assert (first.status_code, retry.status_code) == (400, 400)
    assert first.json() == retry.json()
    assert set(first.json()["errors"]) == {"issues.2.severity"}
    assert "Idempotent-Replayed" not in retry.headers  # a 400 leaves the key free for a corrected body
    assert not ContactLog.objects.exists()


# --- reading logs ----------------------------------------------------------------------------------------------


def test_the_log_list_is_newest_first(api: APIClient, read_token: str, account: Account) -> None:
    now = timezone.now()
    old = ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=9))
    new = ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=1))
    middle = ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=4))

    response = as_system(api, read_token).get(reverse("api:contact-logs"))

    assert ids(response) == [new.pk, middle.pk, old.pk]


def test_the_log_list_filters_by_account_channel_topic_and_author(
    api: APIClient, read_token: str, account: Account, alice: User, erin: User
) -> None:
    wanted = ContactLogFactory.create(account=account, channel="video", topics=["billing", "pricing"], author=erin)
    ContactLogFactory.create(account=account, channel="phone", topics=["billing"], author=erin)
    ContactLogFactory.create(account=account, channel="video", topics=["delivery"], author=erin)
    ContactLogFactory.create(account=account, channel="video", topics=["pricing"], author=alice)
    ContactLogFactory.create(channel="video", topics=["pricing"], author=erin)  # another account
    query: dict[str, Any] = {"account": account.pk, "channel": "video", "topic": "pricing", "author": erin.pk}

    response = as_system(api, read_token).get(reverse("api:contact-logs"), query)

    assert ids(response) == [wanted.pk]


def test_the_log_list_filters_by_when_it_happened_and_when_it_changed(
    api: APIClient, read_token: str, account: Account
) -> None:
    now = timezone.now()
    inside = ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=5))
    ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=20))
    ContactLogFactory.create(account=account, occurred_at=now - timedelta(hours=1))
    stale = ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=6))
    ContactLog.objects.filter(pk=stale.pk).update(updated_at=now - timedelta(days=3))
    window = {
        "occurred_after": (now - timedelta(days=10)).isoformat(),
        "occurred_before": (now - timedelta(days=2)).isoformat(),
    }

    in_window = as_system(api, read_token).get(reverse("api:contact-logs"), window)
    changed = api.get(reverse("api:contact-logs"), {**window, "updated_since": (now - timedelta(days=1)).isoformat()})

    assert ids(in_window) == [inside.pk, stale.pk]
    assert ids(changed) == [inside.pk]


def test_an_unknown_topic_is_a_400_with_the_error_body(api: APIClient, read_token: str) -> None:
    response = as_system(api, read_token).get(reverse("api:contact-logs"), {"topic": "gossip"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"topic"}


def _logs_with_everything(count: int, **account_fields: Any) -> None:
    """Each log at its own account, with a participant on both sides and two issues: every relation in use."""
    for log in ContactLogFactory.create_batch(count, **{f"account__{k}": v for k, v in account_fields.items()}):
        log.our_participants.add(log.author)
        log.their_participants.add(ContactFactory.create(account=log.account))
        IssueFactory.create_batch(2, contact_log=log)


@pytest.mark.parametrize("count", [1, 50])
def test_the_log_list_query_count_does_not_grow_for_a_client(
    api: APIClient, read_token: str, django_assert_num_queries: Any, count: int
) -> None:
    _logs_with_everything(count)

    # the client by token prefix, its last_used_at and hourly audit claim, the audit row, the page of logs (+account,
    # author), then one query each
    # for our participants, their participants and the issues
    with django_assert_num_queries(7):
        response = as_system(api, read_token).get(reverse("api:contact-logs"))

    assert len(response.json()["results"]) == count
    assert all(len(row["issues"]) == 2 for row in response.json()["results"])


@pytest.mark.parametrize("count", [1, 50])
def test_the_log_list_query_count_does_not_grow_for_a_person(
    api: APIClient, alice: User, django_assert_num_queries: Any, count: int
) -> None:
    _logs_with_everything(count, is_confidential=True)  # hidden from alice by the team check
    _logs_with_everything(count, owner=alice, is_confidential=True)

    # the page of logs (+account, author, the team check as a subquery), our participants, theirs, the issues
    with django_assert_num_queries(4):
        response = as_person(api, alice).get(reverse("api:contact-logs"))

    assert len(response.json()["results"]) == count


def test_a_log_detail_carries_its_version_as_etag(api: APIClient, read_token: str, account: Account) -> None:
    log = ContactLogFactory.create(account=account)
    IssueFactory.create(contact_log=log, verbatim="Too loud.")

    response = as_system(api, read_token).get(log_url(log))

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert [issue["verbatim"] for issue in response.json()["issues"]] == ["Too loud."]


def test_an_unknown_or_deleted_log_is_a_404(api: APIClient, read_token: str, account: Account) -> None:
    deleted = ContactLogFactory.create(account=account)
    ContactLog.objects.filter(pk=deleted.pk).update(
        deleted_at=timezone.now(), deleted_reason="Logged against the wrong account."
    )

    as_system(api, read_token)

    assert api.get(log_url(deleted)).status_code == 404
    assert api.get(reverse("api:contact-log", kwargs={"pk": 999_999})).status_code == 404


# --- confidentiality -------------------------------------------------------------------------------------------


@pytest.fixture
def secret_log(secret: Account) -> ContactLog:
    return ContactLogFactory.create(account=secret, summary="They are moving to a competitor.")


@pytest.fixture
def secret_issue(secret_log: ContactLog, engineering: Department) -> Issue:
    return IssueFactory.create(contact_log=secret_log, department=engineering)


def test_a_confidential_accounts_logs_and_issues_are_hidden_from_an_api_client(
    api: APIClient, read_token: str, secret_log: ContactLog, secret_issue: Issue
) -> None:
    as_system(api, read_token)

    assert api.get(reverse("api:contact-logs")).json()["results"] == []
    assert api.get(reverse("api:issues")).json()["results"] == []
    assert api.get(log_url(secret_log)).status_code == 404
    assert api.get(issue_url(secret_issue)).status_code == 404


def test_a_confidential_accounts_logs_and_issues_are_hidden_from_a_user_off_its_team(
    api: APIClient, bob: User, secret_log: ContactLog, secret_issue: Issue
) -> None:
    as_person(api, bob)  # a member of the department the issue is routed to, but not on the account's team

    assert api.get(reverse("api:contact-logs")).json()["results"] == []
    assert api.get(reverse("api:issues"), {"department": secret_issue.department_id}).json()["results"] == []
    assert api.get(log_url(secret_log)).status_code == 404
    assert api.get(issue_url(secret_issue)).status_code == 404
    assert api.post(issue_url(secret_issue, "acknowledge")).status_code == 404
    assert Issue.objects.get().status == IssueStatus.NEW


def test_a_confidential_accounts_logs_and_issues_are_visible_to_its_owner_team_and_executives(
    api: APIClient, alice: User, erin: User, secret_issue: Issue
) -> None:
    teammate = UserFactory.create(email="tess@example.com", role=Role.STAFF)
    account_services.set_team_member(account=secret_issue.account, user=teammate, role="service", can_edit=False)

    for person in (alice, teammate, erin):
        as_person(api, person)
        assert ids(api.get(reverse("api:contact-logs"))) == [secret_issue.contact_log_id], person
        assert ids(api.get(reverse("api:issues"))) == [secret_issue.pk], person


# --- editing logs ----------------------------------------------------------------------------------------------


@pytest.fixture
def own_log(alice: User, account: Account) -> ContactLog:
    return ContactLogFactory.create(account=account, author=alice, summary="First draft.")


def test_the_author_patches_a_log_with_its_version(api: APIClient, alice: User, own_log: ContactLog) -> None:
    response = as_person(api, alice).patch(log_url(own_log), {"summary": "Second draft.", "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["summary"] == "Second draft."
    assert response["ETag"] == '"2"'


def test_patch_with_a_stale_version_is_412_and_leaves_the_log_alone(
    api: APIClient, alice: User, own_log: ContactLog
) -> None:
    ContactLog.objects.filter(pk=own_log.pk).update(version=2)

    response = as_person(api, alice).patch(
        log_url(own_log), {"summary": "Overwritten?"}, format="json", headers={"If-Match": '"1"'}
    )

    assert response.status_code == 412
    assert set(response.json()) == {"detail", "errors"}
    assert ContactLog.objects.get().summary == "First draft."


def test_patch_without_any_version_is_428(api: APIClient, alice: User, own_log: ContactLog) -> None:
    response = as_person(api, alice).patch(log_url(own_log), {"summary": "Blind."}, format="json")

    assert response.status_code == 428
    assert ContactLog.objects.get().summary == "First draft."


def test_only_the_author_patches_a_log(api: APIClient, erin: User, own_log: ContactLog) -> None:
    response = as_person(api, erin).patch(log_url(own_log), {"summary": "Edited.", "version": 1}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the author edits a contact log."


def test_an_api_client_cannot_patch_a_log(api: APIClient, write_token: str, own_log: ContactLog) -> None:
    response = as_system(api, write_token).patch(log_url(own_log), {"summary": "Edited.", "version": 1}, format="json")

    assert response.status_code == 403
    assert ContactLog.objects.get().summary == "First draft."


# --- issues ----------------------------------------------------------------------------------------------------


@pytest.fixture
def issue(account: Account, engineering: Department) -> Issue:
    return IssueFactory.create(contact_log=ContactLogFactory.create(account=account), department=engineering)


def test_the_issue_list_is_newest_first_and_filters(
    api: APIClient, read_token: str, account: Account, departments: dict[str, Department]
) -> None:
    now = timezone.now()
    strategic = AccountFactory.create()
    Account.objects.filter(pk=strategic.pk).update(tier=Tier.STRATEGIC)
    quality = departments["quality"]
    wanted = IssueFactory.create(
        contact_log=ContactLogFactory.create(account=strategic), department=quality, severity="high", raised_at=now
    )
    older = IssueFactory.create(
        contact_log=ContactLogFactory.create(account=strategic),
        department=quality,
        severity="high",
        raised_at=now - timedelta(days=1),
    )
    IssueFactory.create(
        contact_log=ContactLogFactory.create(account=strategic), department=quality, severity="low", raised_at=now
    )
    IssueFactory.create(
        contact_log=ContactLogFactory.create(account=account), department=quality, severity="high", raised_at=now
    )  # an account of another tier
    acknowledged = IssueFactory.create(
        contact_log=ContactLogFactory.create(account=strategic), department=quality, severity="high", raised_at=now
    )
    Issue.objects.filter(pk=acknowledged.pk).update(status=IssueStatus.ACKNOWLEDGED)
    query: dict[str, Any] = {"department": quality.pk, "status": "new", "severity": "high", "tier": "strategic"}

    response = as_system(api, read_token).get(reverse("api:issues"), query)
    by_account = api.get(reverse("api:issues"), {"account": strategic.pk, "severity": "high"})

    assert ids(response) == [wanted.pk, older.pk]
    assert set(ids(by_account)) == {wanted.pk, older.pk, acknowledged.pk}


@pytest.mark.parametrize("count", [1, 50])
def test_the_issue_list_query_count_does_not_grow(
    api: APIClient, read_token: str, bob: User, django_assert_num_queries: Any, count: int
) -> None:
    target = DepartmentFactory.create(name="Quality", slug="quality")
    for issue in IssueFactory.create_batch(count, department=bob.department):
        IssueHandoff.objects.create(
            issue=issue,
            from_department=issue.department,
            to_department=target,
            note="Theirs.",
            handed_off_by=bob,
            handed_off_at=timezone.now(),
        )

    # the client by token prefix, its last_used_at and hourly audit claim, the audit row, and
    # the page of issues (+account, department, people) with each one's pending hand-off (+both departments)
    with django_assert_num_queries(4):
        response = as_system(api, read_token).get(reverse("api:issues"))

    assert len(response.json()["results"]) == count
    assert {row["pending_handoff"]["to_department_name"] for row in response.json()["results"]} == {"Quality"}
    assert {row["pending_handoff"]["note"] for row in response.json()["results"]} == {"Theirs."}


def test_an_issue_detail_names_its_owner_and_has_no_pending_handoff(
    api: APIClient, read_token: str, issue: Issue
) -> None:
    body = as_system(api, read_token).get(issue_url(issue)).json()

    assert (body["department_name"], body["status"], body["pending_handoff"]) == ("Engineering", "new", None)


def test_a_department_member_acknowledges_an_issue(api: APIClient, bob: User, issue: Issue) -> None:
    response = as_person(api, bob).post(issue_url(issue, "acknowledge"))

    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    assert response.json()["acknowledged_by"] == bob.pk


def test_someone_outside_the_department_cannot_acknowledge(api: APIClient, alice: User, issue: Issue) -> None:
    response = as_person(api, alice).post(issue_url(issue, "acknowledge"))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only Engineering can acknowledge this issue.", "errors": {}}
    assert Issue.objects.get().status == IssueStatus.NEW


def test_an_api_client_cannot_acknowledge_or_hand_off(
    api: APIClient, write_token: str, issue: Issue, departments: dict[str, Department]
) -> None:
    as_system(api, write_token)

    acknowledged = api.post(issue_url(issue, "acknowledge"))
    handed_off = api.post(
        issue_url(issue, "handoff"), {"to_department": departments["quality"].pk, "note": "Yours."}, format="json"
    )

    assert (acknowledged.status_code, handed_off.status_code) == (403, 403)
    assert Issue.objects.get().status == IssueStatus.NEW
    assert not IssueHandoff.objects.exists()


def test_a_hand_off_waits_for_the_receiving_department_which_then_owns_the_issue(
    api: APIClient, bob: User, issue: Issue, departments: dict[str, Department]
) -> None:
    quality = departments["quality"]
    inspector = UserFactory.create(department=quality)

    handed = as_person(api, bob).post(
        issue_url(issue, "handoff"), {"to_department": quality.pk, "note": "A cracked casing."}, format="json"
    )
    accepted = as_person(APIClient(), inspector).post(issue_url(issue, "acknowledge"))

    assert handed.status_code == 200
    assert handed.json()["department"] == departments["engineering"].pk
    assert handed.json()["pending_handoff"]["to_department"] == quality.pk
    assert handed.json()["pending_handoff"]["note"] == "A cracked casing."
    assert accepted.status_code == 200
    assert (accepted.json()["department"], accepted.json()["pending_handoff"]) == (quality.pk, None)


def test_a_hand_off_to_the_owning_department_is_a_400(
    api: APIClient, bob: User, issue: Issue, engineering: Department
) -> None:
    response = as_person(api, bob).post(
        issue_url(issue, "handoff"), {"to_department": engineering.pk, "note": "Ours."}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"to_department"}
    assert not IssueHandoff.objects.exists()


def test_a_hand_off_without_a_note_is_a_400(
    api: APIClient, bob: User, issue: Issue, departments: dict[str, Department]
) -> None:
    response = as_person(api, bob).post(
        issue_url(issue, "handoff"), {"to_department": departments["quality"].pk, "note": ""}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"note"}


def test_an_issue_carries_its_version_as_etag_and_acting_on_it_moves_it(
    api: APIClient, bob: User, issue: Issue
) -> None:
    as_person(api, bob)

    read = api.get(issue_url(issue))
    acknowledged = api.post(issue_url(issue, "acknowledge"), headers={"If-Match": read["ETag"]})

    assert (read["ETag"], acknowledged.status_code, acknowledged["ETag"]) == ('"1"', 200, '"2"')


def test_acknowledging_an_issue_changed_since_you_read_it_is_412_and_changes_nothing(
    api: APIClient, bob: User, issue: Issue
) -> None:
    Issue.objects.filter(pk=issue.pk).update(version=2)

    response = as_person(api, bob).post(issue_url(issue, "acknowledge"), headers={"If-Match": '"1"'})

    assert response.status_code == 412
    assert set(response.json()) == {"detail", "errors"}
    assert Issue.objects.get().status == IssueStatus.NEW


def test_a_hand_off_with_a_stale_version_is_412_and_hands_nothing_off(
    api: APIClient, bob: User, issue: Issue, departments: dict[str, Department]
) -> None:
    Issue.objects.filter(pk=issue.pk).update(version=2)

    response = as_person(api, bob).post(
        issue_url(issue, "handoff"),
        {"to_department": departments["quality"].pk, "note": "Yours.", "version": 1},
        format="json",
    )

    assert response.status_code == 412
    assert not IssueHandoff.objects.exists()
