from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from organization.models import Role, User
from tests.factories import ApiClientFactory, DepartmentFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls made by tests and live_server are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Tests that start real worker processes share the broker (one Redis database, or one SQLite file) and fixed
# ports: under pytest-xdist (`make test` runs two processes) they all run in the same one, one after another.
SERIAL_PATHS = ("tests/faults/", "tests/connectivity/test_worker.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path)).resolve().relative_to(Path(__file__).resolve().parent.parent).as_posix()
        if item.get_closest_marker("worker") is not None or path.startswith(SERIAL_PATHS):
            item.add_marker(pytest.mark.xdist_group("processes"))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle budgets live in the cache: each test starts with a clean one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _migration_data(request: pytest.FixtureRequest) -> None:
    """The rows data migrations write (tier rules, the business calendar, the escalation ladder, the two survey
    templates), in every test.

    The test database is migrated, so they are there; but a transactional test empties every table when it ends
    (Django's flush), and the code reads these rows without ever creating them. A test that finds them gone (it
    runs after a transactional one) writes them again first, with the migration's own function, so that every
    test starts as a fresh database does.
    """
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    transactional = (marker is not None and marker.kwargs.get("transaction", False)) or bool(
        {"transactional_db", "live_server"} & fixtures
    )
    if not (transactional or marker is not None or "db" in fixtures):
        return  # no database in this test
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from actionplans.models import BusinessCalendar

    if not BusinessCalendar.objects.exists():
        importlib.import_module("actionplans.migrations.0002_default_policies").create_defaults(apps, None)
    from accounts.models import TierRule

    if not TierRule.objects.exists():
        importlib.import_module("accounts.migrations.0004_default_tier_rules").create_default_tier_rules(apps, None)
        importlib.import_module("accounts.migrations.0008_tier_review_cadence").set_default_review_cadence(apps, None)
    from surveys.models import SurveyTemplate

    if not SurveyTemplate.objects.exists():
        importlib.import_module("surveys.migrations.0002_default_templates").create_default_templates(apps, None)


@pytest.fixture
def engineering(db: Any) -> Any:
    return DepartmentFactory.create(name="Engineering", slug="engineering")


@pytest.fixture
def alice(db: Any) -> User:
    return UserFactory.create(email="alice@example.com", full_name="Alice Account", role=Role.ACCOUNT_MANAGER)


@pytest.fixture
def bob(engineering: Any) -> User:
    return UserFactory.create(email="bob@example.com", full_name="Bob Builder", role=Role.STAFF, department=engineering)


@pytest.fixture
def erin(db: Any) -> User:
    return UserFactory.create(email="erin@example.com", full_name="Erin Executive", role=Role.EXECUTIVE)


@pytest.fixture
def admin_user(db: Any) -> User:
    return UserFactory.create(email="ada@example.com", full_name="Ada Admin", role=Role.ADMIN, is_staff=True)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def read_token(engineering: Any) -> str:
    _, token = ApiClientFactory.create(name="scheduling", department=engineering, can_read=True, can_write=False)
    return token


@pytest.fixture
def write_token(engineering: Any) -> str:
    _, token = ApiClientFactory.create(name="field-service", department=engineering, can_read=True, can_write=True)
    return token


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A real Chromium (Debian's), shared by the session. Absent Chromium skips locally and fails in CI."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must run the browser tests")
        pytest.skip(f"Chromium not found at {CHROMIUM} (install Debian's chromium to run browser tests)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process, without the defaults the test settings put into os.environ."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "SECURE_SSL_REDIRECT",
            "ALLOWED_HOSTS",
            "DEBUG",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update({"DJANGO_SETTINGS_MODULE": "connectivity.settings", **overrides})
    return env


def start_celery_worker(log: Path, *options: str, **env: str) -> subprocess.Popen[str]:
    """A real `celery -A connectivity worker` (default: one solo process) with `env` over subprocess_env, its
    output in `log`. Stop it with stop_process."""
    command = [sys.executable, "-m", "celery", "-A", "connectivity", "worker", *(options or ("--pool=solo",))]
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [*command, "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=Path(__file__).resolve().parent.parent,
            env=subprocess_env(**env),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )


def stop_process(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
