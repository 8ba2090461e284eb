"""Dependencies point one way: the project package (connectivity) on top, then
dashboards → surveys → actionplans → feedback → accounts → organization → kernel.

Checked from the code itself: every import (relative ones resolved, those under TYPE_CHECKING included) and
every template's links (`{% url 'app:…' %}`), includes and extends. The kernel imports no app and nothing from
the project package; an app imports only from the kernel and the apps below it, never the project package; a
template of an app links or includes only its own app's and lower apps' pages. Higher apps reach lower pages
through registries (the account timeline, the account and issue actions), as their Python does.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "connectivity"
# Lowest first. Apps on one level are siblings: each may use the levels below, never one another.
LEVELS = [
    ["kernel"],
    ["organization"],
    ["accounts"],
    ["feedback"],
    ["actionplans"],
    ["surveys", "reviews", "supplychain"],
    ["dashboards"],
]
LAYERS = [app for level in LEVELS for app in level]
OURS = {*LAYERS, PROJECT}
# A template names another app by a URL namespace or a template folder; both are the app's name here.
TEMPLATE_REFERENCE = re.compile(
    r"""\{%\s*url\s+["'](?P<namespace>\w+):|\{%\s*(?:include|extends)\s+["'](?P<folder>\w+)/"""
)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, *, module: str, is_package: bool) -> set[str]:
    """Every module `source` imports, relative imports resolved against `module`."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.add(target)
            # `from . import services` imports a module too
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def allowed_for(layer: str) -> set[str]:
    if layer == PROJECT:
        return set(OURS)
    below = next(i for i, level in enumerate(LEVELS) if layer in level)
    return {app for level in LEVELS[:below] for app in level} | {layer}


def import_violations(root: Path, layer: str) -> dict[str, list[str]]:
    allowed = allowed_for(layer)
    found: dict[str, list[str]] = {}
    for path in sorted((root / layer).rglob("*.py")):
        if "migrations" in path.parts:
            continue  # Django's migration graph names apps by label, not by import
        module = module_name(path, root)
        imported = imported_modules(path.read_text(), module=module, is_package=path.name == "__init__.py")
        bad = sorted({name.split(".")[0] for name in imported} & OURS - allowed)
        if bad:
            found[str(path.relative_to(root))] = bad
    return found


def template_violations(root: Path, layer: str) -> dict[str, list[str]]:
    allowed = allowed_for(layer) | {"components", "admin", "registration"}
    found: dict[str, list[str]] = {}
    for path in sorted((root / "templates" / layer).rglob("*.html")):
        named = {m["namespace"] or m["folder"] for m in TEMPLATE_REFERENCE.finditer(path.read_text())}
        bad = sorted(named & OURS - allowed)
        if bad:
            found[str(path.relative_to(root))] = bad
    return found


@pytest.mark.parametrize("layer", [*LAYERS, PROJECT])
def test_each_package_imports_only_from_the_layers_below_it(layer: str) -> None:
    assert import_violations(ROOT, layer) == {}


@pytest.mark.parametrize("layer", LAYERS)
def test_each_apps_templates_link_only_to_its_own_and_lower_apps(layer: str) -> None:
    assert template_violations(ROOT, layer) == {}


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_check_catches_the_kernel_importing_an_app(tmp_path: Path) -> None:
    write(tmp_path, "kernel/versions.py", "from organization.models import User\n")
    assert import_violations(tmp_path, "kernel") == {"kernel/versions.py": ["organization"]}


def test_the_check_catches_an_app_importing_the_project_package(tmp_path: Path) -> None:
    write(tmp_path, "accounts/services.py", "from connectivity.seeding import seed_modules\n")
    assert import_violations(tmp_path, "accounts") == {"accounts/services.py": ["connectivity"]}


def test_the_check_catches_a_lower_app_importing_a_higher_one_relatively(tmp_path: Path) -> None:
    write(tmp_path, "feedback/api/views.py", "from ...actionplans import services\n")
    write(tmp_path, "feedback/services.py", "if TYPE_CHECKING:\n    from dashboards.models import KpiSnapshot\n")
    assert import_violations(tmp_path, "feedback") == {
        "feedback/api/views.py": ["actionplans"],
        "feedback/services.py": ["dashboards"],
    }


def test_the_check_lets_an_app_use_itself_and_the_layers_below(tmp_path: Path) -> None:
    write(tmp_path, "feedback/views.py", "from . import services\nfrom .models import Issue\nimport kernel.versions\n")
    write(tmp_path, "feedback/api/views.py", "from ..selectors import issues_for\nfrom accounts import models\n")
    assert import_violations(tmp_path, "feedback") == {}


def test_the_check_catches_sibling_apps_importing_each_other(tmp_path: Path) -> None:
    write(tmp_path, "reviews/selectors.py", "from surveys.kpis import survey_kpis\nfrom actionplans import models\n")
    assert import_violations(tmp_path, "reviews") == {"reviews/selectors.py": ["surveys"]}


def test_the_check_catches_a_template_linking_upward(tmp_path: Path) -> None:
    write(tmp_path, "templates/accounts/detail.html", "<a href=\"{% url 'actionplans:list' %}\">Plans</a>")
    write(tmp_path, "templates/feedback/inbox.html", '{% include "dashboards/_card.html" %}{% url "accounts:list" %}')
    assert template_violations(tmp_path, "accounts") == {"templates/accounts/detail.html": ["actionplans"]}
    assert template_violations(tmp_path, "feedback") == {"templates/feedback/inbox.html": ["dashboards"]}
