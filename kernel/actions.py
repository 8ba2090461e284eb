"""What a page offers to do with a record, contributed by the apps above the one that owns the page.

A lower app's page (an account, an issue) cannot name a higher app's URLs without pointing dependencies upward.
Instead it keeps an `ActionRegistry`; higher apps register a provider in their AppConfig.ready() that returns the
actions a person may take, asking their own policies, so a button a person cannot use is never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    method: Literal["get", "post"] = "get"  # "post": a button in a form with the CSRF token
    style: str = "outline-secondary"  # the Bootstrap button variant
    hint: str = ""


Provider = Callable[[T, Any], Iterable[Action]]


class ActionRegistry(Generic[T]):
    def __init__(self) -> None:
        self._providers: dict[str, Provider[T]] = {}

    def register(self, name: str) -> Callable[[Provider[T]], Provider[T]]:
        def decorator(provider: Provider[T]) -> Provider[T]:
            self._providers[name] = provider
            return provider

        return decorator

    def actions(self, subject: T, person: Any) -> list[Action]:
        return [action for provider in self._providers.values() for action in provider(subject, person)]
