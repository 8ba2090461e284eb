from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import selectors as account_selectors
from accounts import services
from accounts.models import Account, AccountScore, BuyingRole, CustomerContact, PriorityCriterion, Tier
from organization.models import Role, User
from tests.factories import AccountFactory, ContactFactory, CriterionFactory, SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROW_FIELDS = {
    "id",
    "external_id",
    "name",
    "segment",
    "industry",
    "region",
    "status",
    "owner",
    "owner_name",
    "executive_sponsor",
    "is_confidential",
    "rank",
    "tier",
    "score",
    "cadence_days",
    "last_contact_at",
    "next_contact_due",
    "overdue",
    "needs",
    "wants",
    "health",
    "health_band",
    "health_signals",
    "satisfied_but_at_risk",
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


def recompute() -> None:
    services.recompute_priorities(changed_by=None, now=timezone.now())


def scored_account(criterion: PriorityCriterion, value: str, **fields: Any) -> Account:
    account = AccountFactory.create(**fields)
    AccountScore.objects.create(account=account, criterion=criterion, value=Decimal(value))
    return account


def names(response: Any) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def account_url(account: Account) -> str:
    return reverse("api:account", kwargs={"pk": account.pk})


def external_url(external_id: str) -> str:
    return reverse("api:account-by-external-id", kwargs={"external_id": external_id})


@pytest.fixture
def criterion(db: Any) -> PriorityCriterion:
    return CriterionFactory.create(name="Revenue", weight=Decimal("1"))


@pytest.fixture
def utilities(db: Any) -> Any:
    return SegmentFactory.create(name="Utilities", slug="utilities")


@pytest.fixture
def account(alice: User, utilities: Any) -> Account:
    return AccountFactory.create(name="Northwind", owner=alice, segment=utilities, region="North")


@pytest.fixture
def secret(alice: User) -> Account:
    """A confidential account owned by alice, with one contact."""
    account = AccountFactory.create(name="Hush Industries", owner=alice, is_confidential=True, external_id="HUSH-1")
    ContactFactory.create(account=account, name="Quiet Quinn")
    return account


@pytest.fixture
def teammate(secret: Account) -> User:
    member = UserFactory.create(email="tess@example.com", full_name="Tess Team", role=Role.STAFF)
    services.set_team_member(account=secret, user=member, role="engineering", can_edit=False)
    return member


def valid_payload(owner: User) -> dict[str, Any]:
    return {
        "name": "Contoso",
        "external_id": "ERP-7",
        "segment": "utilities",
        "industry": "Water",
        "region": "South",
        "status": "prospect",
        "owner": owner.pk,
        "needs": ["fewer outages"],
        "wants": ["a named engineer"],
    }


# --- list ------------------------------------------------------------------------------------------------------


def test_the_account_list_is_in_rank_order(api: APIClient, read_token: str, criterion: PriorityCriterion) -> None:
    scored_account(criterion, "3.00", name="Low")
    scored_account(criterion, "9.00", name="High")
    scored_account(criterion, "7.00", name="Middle")
    recompute()

    response = as_system(api, read_token).get(reverse("api:accounts"))

    assert response.status_code == 200
    assert names(response) == ["High", "Middle", "Low"]
    assert [row["rank"] for row in response.json()["results"]] == [1, 2, 3]


def test_a_list_row_names_its_tier_score_and_cadence(
    api: APIClient, read_token: str, alice: User, utilities: Any, criterion: PriorityCriterion
) -> None:
    scored_account(criterion, "8.50", name="Northwind", owner=alice, segment=utilities)
    recompute()

    row = as_system(api, read_token).get(reverse("api:accounts")).json()["results"][0]

    assert set(row) == ROW_FIELDS
    assert row["tier"] == "strategic"
    assert row["score"] == "8.50"
    assert row["cadence_days"] == 14
    assert row["overdue"] is False
    assert row["segment"] == "utilities"
    assert row["owner"] == alice.pk
    assert row["owner_name"] == "Alice Account"
    assert row["executive_sponsor"] is None
    assert row["version"] == 1


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("-rank", ["Low", "Middle", "High"]), ("name", ["High", "Low", "Middle"])],
)
def test_the_account_list_can_be_ordered_otherwise(
    api: APIClient, read_token: str, criterion: PriorityCriterion, ordering: str, expected: list[str]
) -> None:
    scored_account(criterion, "3.00", name="Low")
    scored_account(criterion, "9.00", name="High")
    scored_account(criterion, "7.00", name="Middle")
    recompute()

    response = as_system(api, read_token).get(reverse("api:accounts"), {"ordering": ordering})

    assert names(response) == expected


def test_an_unknown_ordering_is_a_400_naming_the_choices(api: APIClient, read_token: str) -> None:
    response = as_system(api, read_token).get(reverse("api:accounts"), {"ordering": "score"})

    assert response.status_code == 400
    assert "rank" in response.json()["errors"]["ordering"][0]


def test_walking_the_pages_by_name_visits_every_account_once(api: APIClient, read_token: str) -> None:
    for name in ("Echo", "Alpha", "Delta", "Bravo", "Charlie"):
        AccountFactory.create(name=name)
    recompute()

    first = as_system(api, read_token).get(reverse("api:accounts"), {"ordering": "name", "page_size": "2"}).json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()

    walked = [row["name"] for page in (first, second, third) for row in page["results"]]
    assert walked == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert third["next"] is None


def test_a_cursor_replayed_with_another_ordering_is_a_404_not_a_500(api: APIClient, read_token: str) -> None:
    AccountFactory.create_batch(3)
    recompute()
    first = as_system(api, read_token).get(reverse("api:accounts"), {"ordering": "name", "page_size": "1"}).json()

    response = api.get(first["next"].replace("ordering=name", "ordering=rank"))

    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


def test_the_list_filters_by_tier_name(api: APIClient, read_token: str, criterion: PriorityCriterion) -> None:
    scored_account(criterion, "9.00", name="Strategic one")
    scored_account(criterion, "7.00", name="Key one")
    scored_account(criterion, "1.00", name="Maintained one")
    recompute()

    response = as_system(api, read_token).get(reverse("api:accounts"), {"tier": ["strategic", "key"]})

    assert names(response) == ["Strategic one", "Key one"]


def test_an_unknown_tier_is_a_400_with_the_error_body(api: APIClient, read_token: str) -> None:
    response = as_system(api, read_token).get(reverse("api:accounts"), {"tier": "gold"})

    assert response.status_code == 400
    assert "tier" in response.json()["errors"]


def test_the_list_filters_overdue_accounts(api: APIClient, read_token: str) -> None:
    late = AccountFactory.create(name="Late")
    AccountFactory.create(name="On time")
    recompute()
    Account.objects.filter(pk=late.pk).update(next_contact_due=timezone.localdate() - timedelta(days=1))

    overdue = as_system(api, read_token).get(reverse("api:accounts"), {"overdue": "true"})
    on_time = api.get(reverse("api:accounts"), {"overdue": "false"})

    assert names(overdue) == ["Late"]
    assert overdue.json()["results"][0]["overdue"] is True
    assert names(on_time) == ["On time"]


def test_the_list_filters_by_segment_slug(api: APIClient, read_token: str, utilities: Any) -> None:
    AccountFactory.create(name="Waterworks", segment=utilities)
    AccountFactory.create(name="Steelworks", segment=SegmentFactory.create(name="Metals", slug="metals"))
    recompute()

    response = as_system(api, read_token).get(reverse("api:accounts"), {"segment": "utilities"})

    assert names(response) == ["Waterworks"]


def test_the_list_filters_by_updated_since(api: APIClient, read_token: str) -> None:
    stale = AccountFactory.create(name="Untouched")
    AccountFactory.create(name="Recently edited")
    recompute()
    Account.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=10))

    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = as_system(api, read_token).get(reverse("api:accounts"), {"updated_since": since})

    assert names(response) == ["Recently edited"]


@pytest.mark.parametrize("count", [1, 50])
def test_the_account_list_query_count_does_not_grow_for_a_client(
    api: APIClient, read_token: str, django_assert_num_queries: Any, count: int
) -> None:
    AccountFactory.create_batch(count)  # each with its own owner and segment
    recompute()

    # the client by token prefix, its last_used_at and hourly audit claim, the audit row, the tier cadences,
    # the page of accounts (+segment, owner)
    with django_assert_num_queries(5):
        response = as_system(api, read_token).get(reverse("api:accounts"))

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_the_account_list_query_count_does_not_grow_for_a_person(
    api: APIClient, alice: User, django_assert_num_queries: Any, count: int
) -> None:
    AccountFactory.create_batch(count, is_confidential=True)  # hidden from alice by the team check
    AccountFactory.create_batch(count, owner=alice, is_confidential=True)
    recompute()

    # the tier cadences, the page of accounts (+segment, owner, the team check as a subquery)
    with django_assert_num_queries(2):
        response = as_person(api, alice).get(reverse("api:accounts"))

    assert len(response.json()["results"]) == count


def test_the_list_needs_credentials(api: APIClient) -> None:
    response = api.get(reverse("api:accounts"))

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


# --- confidentiality -------------------------------------------------------------------------------------------


def test_a_confidential_account_is_hidden_from_an_api_client(api: APIClient, read_token: str, secret: Account) -> None:
    AccountFactory.create(name="Open Co")

    listed = as_system(api, read_token).get(reverse("api:accounts"))
    detail = api.get(account_url(secret))

    assert names(listed) == ["Open Co"]
    assert detail.status_code == 404


def test_a_confidential_account_is_hidden_from_a_user_off_its_team(api: APIClient, bob: User, secret: Account) -> None:
    AccountFactory.create(name="Open Co")

    listed = as_person(api, bob).get(reverse("api:accounts"))
    detail = api.get(account_url(secret))

    assert names(listed) == ["Open Co"]
    assert detail.status_code == 404
    assert detail.json()["errors"] == {}


@pytest.mark.parametrize("persona", ["alice", "teammate", "erin"])
def test_a_confidential_account_is_visible_to_its_owner_team_and_executives(
    api: APIClient, secret: Account, teammate: User, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)

    listed = as_person(api, user).get(reverse("api:accounts"))
    detail = api.get(account_url(secret))

    assert names(listed) == ["Hush Industries"]
    assert detail.status_code == 200
    assert detail.json()["is_confidential"] is True


# --- detail ----------------------------------------------------------------------------------------------------


def test_the_detail_carries_its_version_as_etag_and_its_active_contact_ids(
    api: APIClient, read_token: str, account: Account
) -> None:
    active = ContactFactory.create(account=account)
    ContactFactory.create(account=account, is_active=False)

    response = as_system(api, read_token).get(account_url(account))

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["contacts"] == [active.pk]
    assert set(response.json()) == {*ROW_FIELDS, "contacts"}


@pytest.mark.parametrize("contacts", [0, 20])
def test_the_detail_is_one_query_with_its_contacts_in_influence_order(
    api: APIClient, alice: User, django_assert_num_queries: Any, contacts: int
) -> None:
    account = AccountFactory.create(owner=alice)
    made = [ContactFactory.create(account=account, influence=1 + n % 5) for n in range(contacts)]
    ContactFactory.create(account=account, is_active=False)
    as_person(api, alice).get(account_url(account))  # the tier cadences, cached from then on

    # The account with its owner, segment and active contacts' ids (an array beside the row on PostgreSQL).
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        response = api.get(account_url(account))

    expected = sorted(made, key=lambda contact: (-contact.influence, contact.name, contact.pk))
    assert response.json()["contacts"] == [contact.pk for contact in expected]


def test_an_unknown_account_is_a_404(api: APIClient, read_token: str) -> None:
    response = as_system(api, read_token).get(reverse("api:account", kwargs={"pk": 999_999}))

    assert response.status_code == 404


# --- create ----------------------------------------------------------------------------------------------------


def test_a_write_client_creates_an_account(api: APIClient, write_token: str, alice: User, utilities: Any) -> None:
    response = as_system(api, write_token).post(reverse("api:accounts"), valid_payload(alice), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Contoso"
    assert body["segment"] == "utilities"
    assert body["owner"] == alice.pk
    assert body["tier"] == "maintain"
    assert body["rank"] == 1
    assert body["contacts"] == []
    assert response["ETag"] == '"1"'
    assert response["Location"] == reverse("api:account", kwargs={"pk": body["id"]})
    stored = Account.objects.get(external_id="ERP-7")
    assert (stored.owner, stored.needs, stored.status) == (alice, ["fewer outages"], "prospect")


def test_an_account_manager_creates_an_account_in_the_browser_session(
    api: APIClient, alice: User, utilities: Any
) -> None:
    response = as_person(api, alice).post(reverse("api:accounts"), valid_payload(alice), format="json")

    assert response.status_code == 201
    assert Account.objects.filter(name="Contoso").exists()


@pytest.mark.parametrize(
    ("drop", "overrides", "field"),
    [
        ("name", {}, "name"),
        (None, {"name": ""}, "name"),
        (None, {"segment": "no-such-segment"}, "segment"),
        (None, {"owner": 999_999}, "owner"),
        ("owner", {}, "owner"),
        (None, {"status": "dormant"}, "status"),
        (None, {"needs": "not a list"}, "needs"),
    ],
)
def test_bad_input_is_a_field_level_400_and_writes_nothing(
    api: APIClient,
    write_token: str,
    alice: User,
    utilities: Any,
    drop: str | None,
    overrides: dict[str, Any],
    field: str,
) -> None:
    payload = {key: value for key, value in {**valid_payload(alice), **overrides}.items() if key != drop}

    response = as_system(api, write_token).post(reverse("api:accounts"), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Account.objects.exists()


def test_an_inactive_owner_is_refused(api: APIClient, write_token: str, utilities: Any) -> None:
    gone = UserFactory.create(role=Role.ACCOUNT_MANAGER, is_active=False)

    response = as_system(api, write_token).post(reverse("api:accounts"), valid_payload(gone), format="json")

    assert response.status_code == 400
    assert "owner" in response.json()["errors"]


def test_a_taken_external_id_is_a_400_from_the_service(
    api: APIClient, write_token: str, alice: User, utilities: Any
) -> None:
    AccountFactory.create(external_id="ERP-7")

    response = as_system(api, write_token).post(reverse("api:accounts"), valid_payload(alice), format="json")

    assert response.status_code == 400
    assert "external_id" in response.json()["errors"]
    assert Account.objects.count() == 1


def test_a_read_only_client_cannot_create_an_account(
    api: APIClient, read_token: str, alice: User, utilities: Any
) -> None:
    response = as_system(api, read_token).post(reverse("api:accounts"), valid_payload(alice), format="json")

    assert response.status_code == 403
    assert response.json()["errors"] == {}
    assert not Account.objects.exists()


def test_a_staff_user_cannot_create_an_account(api: APIClient, bob: User, alice: User, utilities: Any) -> None:
    response = as_person(api, bob).post(reverse("api:accounts"), valid_payload(alice), format="json")

    assert response.status_code == 403
    assert not Account.objects.exists()


# --- update (optimistic locking) -------------------------------------------------------------------------------


def test_patch_with_the_current_version_updates_and_bumps_the_version(
    api: APIClient, alice: User, account: Account
) -> None:
    response = as_person(api, alice).patch(account_url(account), {"region": "South", "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["region"] == "South"
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'
    account.refresh_from_db()
    assert (account.region, account.version) == ("South", 2)
    assert account.history.first().history_user == alice


def test_patch_with_a_stale_version_is_412_and_leaves_the_row_alone(
    api: APIClient, write_token: str, account: Account
) -> None:
    services.update_account(account=account, changed_by=None, now=timezone.now(), region="East")  # someone else

    response = as_system(api, write_token).patch(account_url(account), {"region": "South", "version": 1}, format="json")

    assert response.status_code == 412
    assert "version 2" in response.json()["detail"]
    assert response.json()["errors"] == {}
    account.refresh_from_db()
    assert (account.region, account.version) == ("East", 2)


def test_if_match_with_the_current_version_updates(api: APIClient, write_token: str, account: Account) -> None:
    response = as_system(api, write_token).patch(
        account_url(account), {"region": "South"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    account.refresh_from_db()
    assert account.region == "South"
    assert account.history.first().history_user is None  # a system, not a person


def test_if_match_with_a_stale_version_is_412(api: APIClient, write_token: str, account: Account) -> None:
    services.update_account(account=account, changed_by=None, now=timezone.now(), region="East")

    response = as_system(api, write_token).patch(
        account_url(account), {"region": "South"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 412
    account.refresh_from_db()
    assert account.region == "East"


def test_patch_without_any_version_is_428_and_writes_nothing(
    api: APIClient, write_token: str, account: Account
) -> None:
    response = as_system(api, write_token).patch(account_url(account), {"region": "South"}, format="json")

    assert response.status_code == 428
    assert set(response.json()) == {"detail", "errors"}
    account.refresh_from_db()
    assert (account.region, account.version) == ("North", 1)


def test_if_match_and_a_body_version_that_disagree_are_a_400(
    api: APIClient, write_token: str, account: Account
) -> None:
    response = as_system(api, write_token).patch(
        account_url(account), {"region": "South", "version": 1}, format="json", HTTP_IF_MATCH='"2"'
    )

    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_a_weak_or_wildcard_if_match_is_a_400(api: APIClient, write_token: str, account: Account) -> None:
    weak = as_system(api, write_token).patch(account_url(account), {}, format="json", HTTP_IF_MATCH='W/"1"')
    wildcard = api.patch(account_url(account), {}, format="json", HTTP_IF_MATCH="*")

    assert (weak.status_code, wildcard.status_code) == (400, 400)
    assert "If-Match" in weak.json()["errors"]


def test_a_staff_user_off_the_team_cannot_patch(api: APIClient, bob: User, account: Account) -> None:
    response = as_person(api, bob).patch(account_url(account), {"region": "South", "version": 1}, format="json")

    assert response.status_code == 403
    account.refresh_from_db()
    assert account.region == "North"


def test_a_team_member_who_may_edit_can_patch(api: APIClient, bob: User, account: Account) -> None:
    services.set_team_member(account=account, user=bob, role="engineering", can_edit=True)

    response = as_person(api, bob).patch(account_url(account), {"region": "South", "version": 1}, format="json")

    assert response.status_code == 200


def test_a_read_only_client_cannot_patch(api: APIClient, read_token: str, account: Account) -> None:
    response = as_system(api, read_token).patch(account_url(account), {"region": "South", "version": 1}, format="json")

    assert response.status_code == 403


def test_a_client_cannot_patch_a_confidential_account(api: APIClient, write_token: str, secret: Account) -> None:
    response = as_system(api, write_token).patch(account_url(secret), {"region": "South", "version": 1}, format="json")

    assert response.status_code == 404
    secret.refresh_from_db()
    assert secret.version == 1


def test_patch_with_bad_input_is_a_400_and_writes_nothing(api: APIClient, alice: User, account: Account) -> None:
    response = as_person(api, alice).patch(
        account_url(account), {"segment": "no-such-segment", "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert "segment" in response.json()["errors"]
    account.refresh_from_db()
    assert account.version == 1


# --- upsert by external id -------------------------------------------------------------------------------------


def test_upsert_creates_then_updates_with_the_version_it_was_given(
    api: APIClient, write_token: str, alice: User, utilities: Any
) -> None:
    url = external_url("ERP-42")
    payload = {"name": "Contoso", "segment": "utilities", "owner": alice.pk}

    created = as_system(api, write_token).put(url, payload, format="json")
    blind = api.put(url, {**payload, "name": "Contoso Ltd"}, format="json")
    updated = api.put(url, {**payload, "name": "Contoso Ltd"}, format="json", HTTP_IF_MATCH=created["ETag"])

    assert created.status_code == 201
    assert created.json()["external_id"] == "ERP-42"
    assert blind.status_code == 428
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["version"]) == ("Contoso Ltd", 2)
    assert Account.objects.filter(external_id="ERP-42").count() == 1


def test_upsert_keeps_fields_it_was_not_sent(api: APIClient, write_token: str, alice: User, utilities: Any) -> None:
    AccountFactory.create(external_id="ERP-42", owner=alice, segment=utilities, needs=["fewer outages"])

    response = as_system(api, write_token).put(
        external_url("ERP-42"),
        {"name": "Contoso", "segment": "utilities", "owner": alice.pk, "version": 1},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["needs"] == ["fewer outages"]


def test_upsert_with_a_stale_version_is_412(api: APIClient, write_token: str, account: Account) -> None:
    services.update_account(account=account, changed_by=None, now=timezone.now(), external_id="ERP-42")  # v2

    response = as_system(api, write_token).put(
        external_url("ERP-42"),
        {"name": "Renamed", "segment": "utilities", "owner": account.owner_id, "version": 1},
        format="json",
    )

    assert response.status_code == 412
    account.refresh_from_db()
    assert account.name == "Northwind"


def test_upsert_with_a_version_for_an_unknown_external_id_creates_nothing(
    api: APIClient, write_token: str, alice: User, utilities: Any
) -> None:
    response = as_system(api, write_token).put(
        external_url("ERP-42"),
        {"name": "Contoso", "segment": "utilities", "owner": alice.pk},
        format="json",
        HTTP_IF_MATCH='"3"',
    )

    assert response.status_code == 412
    assert not Account.objects.exists()


def test_upsert_cannot_reach_a_confidential_account_the_client_may_not_see(
    api: APIClient, write_token: str, alice: User, secret: Account, utilities: Any
) -> None:
    response = as_system(api, write_token).put(
        external_url("HUSH-1"),
        {"name": "Exposed", "segment": "utilities", "owner": alice.pk, "version": 1},
        format="json",
    )

    assert response.status_code == 412  # as for an external id no account has: nothing to update
    secret.refresh_from_db()
    assert secret.name == "Hush Industries"


def test_a_staff_user_cannot_create_by_upsert(api: APIClient, bob: User, alice: User, utilities: Any) -> None:
    response = as_person(api, bob).put(
        external_url("ERP-42"), {"name": "Contoso", "segment": "utilities", "owner": alice.pk}, format="json"
    )

    assert response.status_code == 403
    assert not Account.objects.exists()


def test_a_race_for_one_external_id_is_a_409_not_a_500(
    api: APIClient, write_token: str, alice: User, utilities: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lose_the_race(**kwargs: Any) -> Account:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "create_account", lose_the_race)

    response = as_system(api, write_token).put(
        external_url("ERP-42"), {"name": "Contoso", "segment": "utilities", "owner": alice.pk}, format="json"
    )

    assert response.status_code == 409
    assert set(response.json()) == {"detail", "errors"}


def test_an_account_is_read_by_its_external_id(api: APIClient, read_token: str, account: Account) -> None:
    Account.objects.filter(pk=account.pk).update(external_id="ERP-42")

    found = as_system(api, read_token).get(external_url("ERP-42"))
    missing = api.get(external_url("ERP-43"))

    assert (found.status_code, found.json()["id"], found["ETag"]) == (200, account.pk, '"1"')
    assert missing.status_code == 404


# --- contacts --------------------------------------------------------------------------------------------------


def test_account_contacts_are_the_active_ones_most_influential_first(
    api: APIClient, read_token: str, account: Account
) -> None:
    ContactFactory.create(account=account, name="Casual Cass", influence=2)
    ContactFactory.create(account=account, name="Decider Dana", influence=5)
    ContactFactory.create(account=account, name="Former Fred", influence=5, is_active=False)
    ContactFactory.create(name="Elsewhere Eli")

    response = as_system(api, read_token).get(reverse("api:account-contacts", kwargs={"pk": account.pk}))

    assert response.status_code == 200
    assert names(response) == ["Decider Dana", "Casual Cass"]
    assert response.json()["results"][0]["account"] == account.pk


def test_the_contacts_of_a_confidential_account_are_404_to_a_client_and_listed_for_its_owner(
    api: APIClient, read_token: str, alice: User, secret: Account
) -> None:
    url = reverse("api:account-contacts", kwargs={"pk": secret.pk})

    for_client = as_system(api, read_token).get(url)
    for_owner = as_person(APIClient(), alice).get(url)

    assert for_client.status_code == 404
    assert names(for_owner) == ["Quiet Quinn"]


def test_the_contact_feed_leaves_out_accounts_the_caller_may_not_see(
    api: APIClient, read_token: str, alice: User, secret: Account, account: Account
) -> None:
    ContactFactory.create(account=account, name="Open Olga")
    ContactFactory.create(account=account, name="Gone Gina", is_active=False)

    for_client = as_system(api, read_token).get(reverse("api:contacts"))
    for_owner = as_person(APIClient(), alice).get(reverse("api:contacts"))

    assert names(for_client) == ["Open Olga", "Gone Gina"]
    assert sorted(names(for_owner)) == ["Gone Gina", "Open Olga", "Quiet Quinn"]


def test_the_contact_feed_filters_by_account_buying_role_and_updated_since(
    api: APIClient, read_token: str, account: Account
) -> None:
    ContactFactory.create(account=account, name="Buyer Bea", buying_role=BuyingRole.ECONOMIC_BUYER)
    old = ContactFactory.create(account=account, name="Old Otto", buying_role=BuyingRole.ECONOMIC_BUYER)
    ContactFactory.create(account=account, name="Techie Tom", buying_role=BuyingRole.TECHNICAL)
    ContactFactory.create(name="Elsewhere Eli", buying_role=BuyingRole.ECONOMIC_BUYER)
    CustomerContact.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=10))

    response = as_system(api, read_token).get(
        reverse("api:contacts"),
        {
            "account": str(account.pk),
            "buying_role": "economic_buyer",
            "updated_since": (timezone.now() - timedelta(days=1)).isoformat(),
        },
    )

    assert names(response) == ["Buyer Bea"]


@pytest.mark.parametrize("count", [1, 30])
def test_the_contact_feed_query_count_does_not_grow(
    api: APIClient, read_token: str, django_assert_num_queries: Any, count: int
) -> None:
    ContactFactory.create_batch(count)

    # the client by token prefix, its last_used_at and hourly audit claim, the audit row,
    # the page of contacts (visibility as a subquery)
    with django_assert_num_queries(4):
        response = as_system(api, read_token).get(reverse("api:contacts"))

    assert len(response.json()["results"]) == count


# --- priority criteria -----------------------------------------------------------------------------------------


def test_priority_criteria_are_listed_in_their_order(api: APIClient, read_token: str) -> None:
    CriterionFactory.create(name="Growth potential", weight=Decimal("2.50"), order=2)
    CriterionFactory.create(name="Revenue", weight=Decimal("4"), order=1, description="Annual spend")
    CriterionFactory.create(name="Retired", weight=Decimal("1"), order=3, is_active=False)

    response = as_system(api, read_token).get(reverse("api:priority-criteria"))

    assert response.status_code == 200
    assert names(response) == ["Revenue", "Growth potential", "Retired"]
    first = response.json()["results"][0]
    assert set(first) == {"id", "name", "description", "weight", "is_active", "order"}
    assert (first["weight"], first["description"], first["is_active"]) == ("4.00", "Annual spend", True)


# --- per-request constants ---------------------------------------------------------------------------------------


def test_the_tier_cadences_are_read_once_then_come_from_the_cache(
    api: APIClient, alice: User, django_assert_num_queries: Any
) -> None:
    AccountFactory.create(owner=alice)
    as_person(api, alice).get(reverse("api:accounts"))

    with django_assert_num_queries(1):  # the page of accounts (+segment, owner): no tier rules
        response = api.get(reverse("api:accounts"))

    assert response.json()["results"][0]["cadence_days"] == account_selectors.tier_rules().cadence_days[Tier.MAINTAIN]


def test_a_changed_cadence_shows_in_the_next_api_response(api: APIClient, alice: User) -> None:
    account = AccountFactory.create(owner=alice)
    recompute()
    as_person(api, alice)
    assert api.get(reverse("api:account", kwargs={"pk": account.pk})).json()["cadence_days"] != 3
    rules = account_selectors.tier_rules()
    erin = UserFactory.create(role=Role.EXECUTIVE)

    services.update_priority_settings(
        weights={},
        rules={tier: (rules.min_score[tier], 3) for tier in rules.cadence_days},
        changed_by=erin,
        now=timezone.now(),
    )

    assert api.get(reverse("api:account", kwargs={"pk": account.pk})).json()["cadence_days"] == 3
    assert {row["cadence_days"] for row in api.get(reverse("api:accounts")).json()["results"]} == {3}
