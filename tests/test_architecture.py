"""Dependencies point one way: dashboards → actionplans → feedback → accounts → organization."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["organization", "accounts", "feedback", "actionplans", "dashboards"]


def imported_apps(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names & {*LAYERS, "connectivity"}


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_from_the_apps_below_it(app: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    # The project package is below nothing: apps may use its shared seeding and API helpers, never the reverse
    # for models (connectivity imports apps only in URLs, commands and seeding).
    allowed.add("connectivity")
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) - allowed)
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) - allowed
    }
    assert offenders == {}
