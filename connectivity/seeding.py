"""The demo-data registry: each app may have a `seed.py` with `seed(ctx)`; they run in dependency order."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps


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
