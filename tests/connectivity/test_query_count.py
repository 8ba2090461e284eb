from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PriorityCriterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(settings: Any) -> None:
    settings.MIDDLEWARE = ["connectivity.query_count.QueryCountHeaderMiddleware", *settings.MIDDLEWARE]


def test_the_header_counts_every_query_of_the_request(
    counted: None, monkeypatch: pytest.MonkeyPatch, api: Any, read_token: str
) -> None:
    monkeypatch.setenv("QUERY_COUNT_HEADER", "true")
    PriorityCriterion.objects.create(name="Revenue", weight=1)

    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/priority-criteria", HTTP_AUTHORIZATION=f"Bearer {read_token}")

    assert response.status_code == 200
    assert response["X-Query-Count"] == str(len(queries))


def test_without_the_opt_in_there_is_no_header(
    counted: None, monkeypatch: pytest.MonkeyPatch, api: Any, read_token: str
) -> None:
    monkeypatch.delenv("QUERY_COUNT_HEADER", raising=False)

    response = api.get("/api/v1/priority-criteria", HTTP_AUTHORIZATION=f"Bearer {read_token}")

    assert response.status_code == 200
    assert "X-Query-Count" not in response


def test_production_settings_do_not_count_queries(settings: Any) -> None:
    assert not any("QueryCount" in name for name in settings.MIDDLEWARE)
