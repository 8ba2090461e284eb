from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from organization import policies
from organization.models import ApiClient


class HasApiScope(permissions.BasePermission):
    """Authenticated; API clients additionally need the `read` scope to read and `write` to change anything."""

    message = "This API client's scopes do not allow this request."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if isinstance(request.auth, ApiClient):
            if request.method in permissions.SAFE_METHODS:
                return request.auth.can_read
            return request.auth.can_write
        return True


class IsAdminUserOrWriteClient(permissions.BasePermission):
    """Writes to organisation data: admins in the browser, or internal systems holding the `write` scope."""

    message = "Only admins and API clients with the write scope may change this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        principal = request.auth if isinstance(request.auth, ApiClient) else request.user
        return policies.can_change_organisation_data(principal=principal)
