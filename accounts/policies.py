"""Who may see and do what with customer accounts: the one answer that services, pages, the API, exports and every
push channel ask. Each function is small and keyword-only; `person` is a User, or an internal system: the principal
of an API client, or None where a service is called on a system's behalf (no pk, no role; the API has checked
its token and scope before). A system sees no confidential account and holds no role. Anonymous callers never
get this far: every page needs a login and every API call a session or a token.

A confidential account is open to its owner, its team, executives and admins; every other account to everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts.models import Account, AccountTeamMember
from organization.models import Role, User

CREATOR_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.DEPARTMENT_LEAD, Role.EXECUTIVE, Role.ADMIN})
OWNER_ROLES = CREATOR_ROLES  # who may own an account: those who may add one
SPONSOR_ROLES = frozenset({Role.EXECUTIVE, Role.ADMIN})


def sees_everything(person: Any) -> bool:
    """Executives and admins open every account, confidential ones included."""
    return bool(getattr(person, "is_executive", False) or getattr(person, "is_superuser", False))


def _role(person: Any) -> str | None:
    return getattr(person, "role", None)


def can_open_account(*, person: Any, account: Account) -> bool:
    if not account.is_confidential or sees_everything(person):
        return True
    person_id = getattr(person, "pk", None)
    if person_id is None:
        return False
    if account.owner_id == person_id:
        return True
    return AccountTeamMember.objects.filter(account_id=account.pk, user_id=person_id).exists()


def systems_may_learn_of(*, account: Account) -> bool:
    """Whether internal systems (API clients, webhook subscribers) may be told of this account: as for any
    caller with no person behind it, only of accounts that are not confidential."""
    return can_open_account(person=None, account=account)


def recipients_who_may_open(*, account: Account, candidates: Iterable[User]) -> list[User]:
    """The candidates who may open `account`, in their order: every push about the account (a notification, an
    email, a digest line, an escalation notice) goes only to them. One query at most, none for a normal account."""
    people = list(candidates)
    if not account.is_confidential:
        return people
    team = set(AccountTeamMember.objects.filter(account_id=account.pk).values_list("user_id", flat=True))
    return [p for p in people if sees_everything(p) or p.pk == account.owner_id or p.pk in team]


def can_create_account(*, person: Any) -> bool:
    """People in the creator roles; API clients with the write scope (checked by the API) act for a system."""
    if getattr(person, "pk", None) is None:
        return True
    return _role(person) in CREATOR_ROLES or bool(getattr(person, "is_admin", False))


def can_edit_account(*, person: Any, account: Account) -> bool:
    """The owner, team members who may edit, and admins. An API client (no pk) writes for a system, on normal
    accounts only (it cannot open a confidential one)."""
    if not can_open_account(person=person, account=account):
        return False
    person_id = getattr(person, "pk", None)
    if person_id is None:
        return True
    if getattr(person, "is_admin", False) or account.owner_id == person_id:
        return True
    return AccountTeamMember.objects.filter(account_id=account.pk, user_id=person_id, can_edit=True).exists()


def can_manage_team(*, person: Any, account: Account) -> bool:
    """Who adds, changes and removes an account's team members: the owner, team members who may edit, and admins
    (an API client with the write scope for a system, on normal accounts only), as for editing the account."""
    return can_edit_account(person=person, account=account)


def may_join_team(*, user: User) -> bool:
    """Whom a team may take in: any active person, from any department."""
    return user.is_active


def can_score_account(*, person: Any, account: Account) -> bool:
    return sees_everything(person) or can_edit_account(person=person, account=account)


def can_override_tier(*, person: Any) -> bool:
    return bool(getattr(person, "is_executive", False))


def can_change_priority_settings(*, person: Any) -> bool:
    return bool(getattr(person, "is_executive", False))


def can_import_accounts(*, person: Any) -> bool:
    return bool(getattr(person, "is_active", False)) and (
        _role(person) in CREATOR_ROLES or bool(getattr(person, "is_superuser", False))
    )


def may_own_accounts(*, user: User) -> bool:
    """Whom an account may be given to: active account managers, department leads, executives and admins."""
    return user.is_active and (user.role in OWNER_ROLES or user.is_superuser)


def may_sponsor_accounts(*, user: User) -> bool:
    return user.is_active and (user.role in SPONSOR_ROLES or user.is_superuser)
