"""The bare baseline's survey results page is the API's body byte for byte, offsets in its next cursor included
(responses often share a submission time): on a real PostgreSQL database, against the API itself."""

from __future__ import annotations

import importlib
from base64 import b64decode
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bench import bare
from feedback.models import Topic
from tests.factories import AccountFactory
from tests.surveys.answered import answer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bare baseline reads PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _templates() -> None:
    """A transactional test empties every table when it ends: the shipped surveys come back as migrated."""
    from django.apps import apps

    from surveys.models import SurveyTemplate

    if not SurveyTemplate.objects.exists():
        importlib.import_module("surveys.migrations.0002_default_templates").create_default_templates(apps, None)


@pytest.mark.parametrize("shared_at_the_edge", [0, 3, 60])
def test_the_bare_survey_page_is_the_apis_body(
    api: APIClient, read_token: str, monkeypatch: Any, settings: Any, shared_at_the_edge: int
) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "100000/min"}}
    start = timezone.now() - timedelta(days=2)
    edge = range(50 - shared_at_the_edge // 2 - 1, 50 + shared_at_the_edge - shared_at_the_edge // 2 - 1)
    for rank in range(60):  # 0 is the newest; the page holds 0 to 49, and these around 49 and 50 share a time
        at = start - timedelta(minutes=49 if rank in edge or shared_at_the_edge == 60 else rank)
        answer(
            AccountFactory.create(),
            year=2026,
            scores={Topic.DELIVERY: 1 + rank % 5},
            recommend=rank % 11,
            submitted_at=at,
        )
    answer(AccountFactory.create(is_confidential=True), year=2026, recommend=0, submitted_at=timezone.now())
    database = connection.settings_dict
    monkeypatch.setenv(
        "DATABASE_URL", f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    monkeypatch.setattr(bare._local, "connection", None, raising=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")

    ours = api.get(reverse("api:survey-responses"), HTTP_HOST="127.0.0.1")
    status, body = bare.respond("/api/v1/survey-responses", "", "127.0.0.1")

    assert status == "200 OK"
    assert ours.content == orjson.dumps(body)
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    assert b64decode(cursor).decode().startswith("o=") is (shared_at_the_edge > 0)  # an offset at a shared edge
