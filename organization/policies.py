"""Who may see and do what with the organisation's own records: webhook subscriptions and deliveries, and
organisation data over the API. `principal` is a User, or the ApiClient behind a token."""

from __future__ import annotations

from typing import Any

from organization.models import ApiClient


def can_see_webhook_deliveries(*, person: Any) -> bool:
    """The deliveries page shows every internal system's traffic: admins only."""
    return bool(getattr(person, "is_admin", False))


def can_list_subscriptions(*, principal: Any) -> bool:
    """An API client lists its own subscriptions; admins list every client's; nobody else has any."""
    return isinstance(principal, ApiClient) or bool(getattr(principal, "is_admin", False))


def can_subscribe(*, principal: Any) -> bool:
    """Subscriptions belong to API clients (with the write scope, which the API checks first)."""
    return isinstance(principal, ApiClient)


def can_change_organisation_data(*, principal: Any) -> bool:
    """Departments and people over the API: admins in the browser, or internal systems with the write scope."""
    if isinstance(principal, ApiClient):
        return principal.can_write
    return bool(getattr(principal, "is_admin", False))
