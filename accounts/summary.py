"""Account summary sections: a registry higher apps fill with what they know of an account over a period (the
surveys' trends, say), so a summary built above them (the joint review's pack) shows it without importing them.

Like accounts/timeline.py: apps register a provider in their AppConfig.ready(). A provider gets the account, the
viewer, and the period [since, until); it reads through its own `visible_to(viewer)` and returns a section, or
None when it has nothing to say. Its rows must be JSON (strings and numbers): a frozen pack stores them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from accounts.models import Account


@dataclass(frozen=True)
class SummarySection:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)  # short sentences: "Satisfaction 3.4 → 3.9 (annual survey)"

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "lines": list(self.lines)}


Provider = Callable[[Account, Any, datetime | None, datetime], SummarySection | None]
_providers: dict[str, Provider] = {}


def register(key: str) -> Callable[[Provider], Provider]:
    def decorator(provider: Provider) -> Provider:
        _providers[key] = provider
        return provider

    return decorator


def unregister(key: str) -> None:
    _providers.pop(key, None)


def account_summary(*, account: Account, user: Any, since: datetime | None, until: datetime) -> list[SummarySection]:
    """Every registered section with something to say, in registration order."""
    sections = [provider(account, user, since, until) for provider in _providers.values()]
    return [section for section in sections if section is not None]
