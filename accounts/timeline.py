"""The account timeline: a small registry each app contributes entries to (contacts, issues, plans…).

Apps register a provider in their AppConfig.ready(); accounts itself knows nothing about them, so dependencies
still point one way. Each provider runs one query per page, so a page costs one query per kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts.models import Account


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    body: str = ""
    url: str = ""
    detail: str = ""


Provider = Callable[[Account, Any, datetime | None, int], list[TimelineEntry]]
_providers: dict[str, tuple[str, Provider]] = {}


def register(kind: str, label: str) -> Callable[[Provider], Provider]:
    def decorator(provider: Provider) -> Provider:
        _providers[kind] = (label, provider)
        return provider

    return decorator


def kinds() -> list[tuple[str, str]]:
    return [(kind, label) for kind, (label, _) in _providers.items()]


def account_timeline(
    *, account: Account, user: Any, before: datetime | None = None, limit: int = 20, only: set[str] | None = None
) -> list[TimelineEntry]:
    """Newest first, across every registered kind (or only some), strictly older than `before` when given."""
    entries: list[TimelineEntry] = []
    for kind, (_, provider) in _providers.items():
        if only and kind not in only:
            continue
        entries.extend(provider(account, user, before, limit))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


@register("priority", "Priority changes")
def _priority_changes(account: Account, user: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    changes = account.priority_changes.select_related("changed_by")
    if before is not None:
        changes = changes.filter(changed_at__lt=before)
    return [
        TimelineEntry(
            at=c.changed_at,
            kind="priority",
            title=f"{c.get_kind_display()}: {c.before or '—'} → {c.after or '—'}",
            body=c.note,
            detail=c.changed_by.full_name if c.changed_by else "",
        )
        for c in changes[:limit]
    ]
