"""The account team: who is on it, who may change it, what it opens, and its history."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Account, AccountTeamMember, TeamRole
from organization.models import Role, User
from tests.factories import AccountFactory, ContactLogFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quality(db: Any) -> Any:
    return DepartmentFactory.create(name="Quality", slug="quality")


@pytest.fixture
def carol(quality: Any) -> User:
    return UserFactory.create(full_name="Carol Quality", role=Role.STAFF, department=quality)


@pytest.fixture
def secret(alice: User) -> Account:
    account = AccountFactory.create(owner=alice, is_confidential=True, name="Secret Works")
    ContactLogFactory.create(account=account, author=alice, summary="Pricing talk, under NDA.")
    return account


def visible_ids(users: list[User]) -> dict[int, set[int]]:
    return {u.pk: set(Account.objects.visible_to(u).values_list("pk", flat=True)) for u in users}


def test_a_team_member_of_another_department_sees_the_confidential_timeline_and_nobody_else_newly_does(
    client: Any, alice: User, bob: User, carol: User, erin: User, secret: Account, quality: Any
) -> None:
    colleague = UserFactory.create(role=Role.STAFF, department=bob.department)
    lead = UserFactory.create(role=Role.DEPARTMENT_LEAD, department=quality)
    everyone = [alice, bob, carol, erin, colleague, lead]
    before = visible_ids(everyone)
    client.force_login(carol)
    assert client.get(reverse("accounts:timeline", args=[secret.pk])).status_code == 404

    services.add_team_member(account=secret, user=carol, role=TeamRole.QUALITY, added_by=alice)

    assert carol.department != alice.department
    page = client.get(reverse("accounts:timeline", args=[secret.pk]))
    assert page.status_code == 200
    assert "Pricing talk, under NDA." in page.content.decode()
    after = visible_ids(everyone)
    newly = {pk for pk in after if after[pk] != before[pk]}
    assert newly == {carol.pk}
    assert after[carol.pk] - before[carol.pk] == {secret.pk}
    client.force_login(colleague)
    assert client.get(reverse("accounts:timeline", args=[secret.pk])).status_code == 404


def test_leaving_the_team_closes_the_confidential_account_again(
    client: Any, alice: User, carol: User, secret: Account
) -> None:
    member = services.add_team_member(account=secret, user=carol, role=TeamRole.QUALITY, added_by=alice)
    services.remove_team_member(member=member, removed_by=alice)
    client.force_login(carol)
    assert client.get(reverse("accounts:detail", args=[secret.pk])).status_code == 404


def test_only_the_owner_editing_members_and_admins_change_the_team(
    alice: User, bob: User, carol: User, admin_user: User, erin: User
) -> None:
    account = AccountFactory.create(owner=alice)
    viewer = services.add_team_member(account=account, user=bob, role=TeamRole.ENGINEERING, added_by=alice)
    with pytest.raises(PermissionDenied):
        services.add_team_member(account=account, user=carol, role=TeamRole.QUALITY, added_by=bob)
    with pytest.raises(PermissionDenied):
        services.add_team_member(account=account, user=carol, role=TeamRole.QUALITY, added_by=erin)
    services.change_team_member(member=viewer, role=TeamRole.RND, can_edit=True, changed_by=admin_user)
    member = services.add_team_member(account=account, user=carol, role=TeamRole.QUALITY, added_by=bob)
    assert set(account.team_members.values_list("user__full_name", "role")) == {
        ("Bob Builder", "rnd"),
        ("Carol Quality", "quality"),
    }
    services.remove_team_member(member=member, removed_by=bob)
    assert account.team_members.count() == 1


def test_adding_someone_twice_or_the_owner_is_a_field_error_and_writes_nothing(alice: User, bob: User) -> None:
    account = AccountFactory.create(owner=alice)
    services.add_team_member(account=account, user=bob, role=TeamRole.ENGINEERING, added_by=alice)
    with pytest.raises(ValidationError) as twice:
        services.add_team_member(account=account, user=bob, role=TeamRole.SALES, added_by=alice)
    with pytest.raises(ValidationError) as owner:
        services.add_team_member(account=account, user=alice, role=TeamRole.SALES, added_by=alice)
    assert "user" in twice.value.message_dict and "user" in owner.value.message_dict
    assert list(account.team_members.values_list("role", flat=True)) == ["engineering"]


def test_the_team_history_names_who_added_changed_and_removed(alice: User, bob: User, admin_user: User) -> None:
    account = AccountFactory.create(owner=alice)
    member = services.add_team_member(account=account, user=bob, role=TeamRole.ENGINEERING, added_by=alice)
    services.change_team_member(member=member, role=TeamRole.SERVICE, can_edit=False, changed_by=admin_user)
    services.remove_team_member(member=member, removed_by=alice)
    rows = AccountTeamMember.history.filter(account_id=account.pk).order_by("history_id")
    assert [(r.history_type, r.role, r.history_user) for r in rows] == [
        ("+", "engineering", alice),
        ("~", "service", admin_user),
        ("-", "service", alice),
    ]


def test_the_account_page_adds_a_member_with_htmx_and_shows_the_history(client: Any, alice: User, carol: User) -> None:
    account = AccountFactory.create(owner=alice)
    client.force_login(alice)
    answer = client.post(
        reverse("accounts:team-add", args=[account.pk]),
        {"user": carol.pk, "role": "quality", "can_edit": "on"},
        headers={"HX-Request": "true"},
    )
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "Carol Quality" in body and "Quality" in body and "joined as Quality" in body
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Carol Quality" in page and "Add to team" in page


def test_the_page_refuses_a_bad_role_with_the_form_error_and_writes_nothing(
    client: Any, alice: User, carol: User
) -> None:
    account = AccountFactory.create(owner=alice)
    client.force_login(alice)
    answer = client.post(
        reverse("accounts:team-add", args=[account.pk]),
        {"user": carol.pk, "role": "astrology"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 400
    assert "Select a valid choice" in answer.content.decode()
    assert not account.team_members.exists()


def test_someone_who_may_not_manage_the_team_sees_no_controls_and_gets_a_403(
    client: Any, alice: User, bob: User, carol: User
) -> None:
    account = AccountFactory.create(owner=alice)
    client.force_login(bob)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Add to team" not in page
    answer = client.post(reverse("accounts:team-add", args=[account.pk]), {"user": carol.pk, "role": "quality"})
    assert answer.status_code == 403
    assert not account.team_members.exists()


def test_the_api_lists_adds_and_removes_team_members(api: APIClient, alice: User, carol: User) -> None:
    account = AccountFactory.create(owner=alice)
    api.force_authenticate(alice)
    url = reverse("api:account-team", kwargs={"pk": account.pk})
    created = api.post(url, {"user": carol.pk, "role": "quality", "can_edit": True}, format="json")
    assert created.status_code == 201
    assert created.json()["role"] == "quality" and created.json()["user_name"] == "Carol Quality"
    listed = api.get(url).json()
    assert [(m["user"], m["department"]) for m in listed["results"]] == [(carol.pk, "Quality")]
    gone = api.delete(reverse("api:account-team-member", kwargs={"pk": account.pk, "member_id": created.json()["id"]}))
    assert gone.status_code == 204
    assert api.get(url).json()["results"] == []


def test_the_api_refuses_bad_input_with_the_error_body_and_writes_nothing(
    api: APIClient, alice: User, carol: User
) -> None:
    account = AccountFactory.create(owner=alice)
    api.force_authenticate(alice)
    answer = api.post(
        reverse("api:account-team", kwargs={"pk": account.pk}), {"user": 2**70, "role": "boss"}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"user", "role"}
    twice = api.post(
        reverse("api:account-team", kwargs={"pk": account.pk}), {"user": alice.pk, "role": "sales"}, format="json"
    )
    assert twice.status_code == 400 and "user" in twice.json()["errors"]
    assert not account.team_members.exists()


def test_api_clients_never_see_a_confidential_team_and_read_only_ones_never_write(
    api: APIClient, read_token: str, write_token: str, secret: Account, carol: User
) -> None:
    normal = AccountFactory.create()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {write_token}")
    assert api.get(reverse("api:account-team", kwargs={"pk": secret.pk})).status_code == 404
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    url = reverse("api:account-team", kwargs={"pk": normal.pk})
    assert api.get(url).status_code == 200
    assert api.post(url, {"user": carol.pk, "role": "quality"}, format="json").status_code == 403
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {write_token}")
    assert api.post(url, {"user": carol.pk, "role": "quality"}, format="json").status_code == 201


def test_a_team_member_without_edit_rights_may_not_change_the_team_over_the_api(
    api: APIClient, alice: User, bob: User, carol: User
) -> None:
    account = AccountFactory.create(owner=alice)
    services.add_team_member(account=account, user=bob, role=TeamRole.ENGINEERING, added_by=alice)
    api.force_authenticate(bob)
    answer = api.post(
        reverse("api:account-team", kwargs={"pk": account.pk}), {"user": carol.pk, "role": "quality"}, format="json"
    )
    assert answer.status_code == 403
    assert answer.json() == {"detail": answer.json()["detail"], "errors": {}}
