"""Optimistic locking, in one place: every update of a versioned record goes through `lock_version` and
`save_version`, so each change bumps the version (the API's ETag) and, on models that keep history
(django-simple-history), writes a history row naming who made it."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class StaleVersion(Exception):
    """The caller edited an older version of the row than the one stored: refuse rather than overwrite."""

    def __init__(self, current: int) -> None:
        super().__init__(f"This record was changed by someone else (now at version {current}).")
        self.current = current


def lock_version(
    queryset: models.QuerySet[_M, _M] | models.Manager[_M], *, pk: Any, expected_version: int | None = None
) -> _M:
    """The row, locked until the transaction ends; StaleVersion when the caller edited an older version of it."""
    locked = queryset.select_for_update().get(pk=pk)
    current = locked.version  # type: ignore[attr-defined]
    if expected_version is not None and current != expected_version:
        raise StaleVersion(current)
    return locked


def save_version(instance: _M, *, by: Any, reason: str = "") -> _M:
    """Write an edited row as its next version: validated, version + 1, and a history row naming `by` (a person,
    or None for an internal system) with `reason` when given."""
    instance.version += 1  # type: ignore[attr-defined]
    instance._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    instance.full_clean()
    instance.save()
    return instance
