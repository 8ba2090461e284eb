"""The demo-data registry: each app may have a `seed.py` with `seed(ctx)`; they run in dependency order."""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from django.apps import apps
from tqdm import tqdm

Scale = Literal["small", "large"]
T = TypeVar("T")

DEMO_PASSWORD = "connectivity-demo"  # noqa: S105 - the printed password of synthetic demo users


@dataclass
class SeedContext:
    scale: Scale
    seed: int
    quiet: bool = False
    rng: random.Random = field(init=False)
    shared: dict[str, Any] = field(default_factory=dict)  # what earlier apps' seeders leave for later ones

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - reproducible demo data, not secrets

    def pick(self, small: T, large: T) -> T:
        return small if self.scale == "small" else large

    def progress(self, items: Iterable[T], *, total: int | None = None, desc: str) -> Iterator[T]:
        """A progress bar on stderr (hidden with --quiet)."""
        yield from tqdm(items, total=total, desc=desc, disable=self.quiet, file=sys.stderr, unit="row", leave=True)


def seed_modules() -> list[Any]:
    """Our apps' seed modules, in INSTALLED_APPS order, which is the dependency order."""
    modules = []
    for config in apps.get_app_configs():
        try:
            modules.append(importlib.import_module(f"{config.name}.seed"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.seed":
                raise
    return modules
