"""What each app's `seed.py` is handed: the scale, a seeded random generator, progress bars, shared results."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

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
