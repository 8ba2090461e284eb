"""Factories write contact logs directly, inside the test's transaction, so neither the services' signal nor the
commit that queues the rollup recount ever happens. Here each factory-written log recounts its account's
months at once, as the on-commit task would; tests of that real path ask for the `rollups_by_hand` fixture instead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models.signals import post_delete, post_save

from dashboards import services
from feedback.models import ContactLog


def _recount(sender: Any, instance: ContactLog, **kwargs: Any) -> None:
    services.recount_account_months(account_ids=[instance.account_id])


@pytest.fixture
def rollups_by_hand() -> None:
    """Rollups change only as the application changes them: through the services, on commit."""


@pytest.fixture(autouse=True)
def _rollups_follow_factories(request: pytest.FixtureRequest) -> Iterator[None]:
    if "rollups_by_hand" in request.fixturenames:
        yield
        return
    post_save.connect(_recount, sender=ContactLog, dispatch_uid="tests.rollups")
    post_delete.connect(_recount, sender=ContactLog, dispatch_uid="tests.rollups")
    try:
        yield
    finally:
        post_save.disconnect(sender=ContactLog, dispatch_uid="tests.rollups")
        post_delete.disconnect(sender=ContactLog, dispatch_uid="tests.rollups")
