"""The cache is an accelerator: with its server unreachable, an API call, a revoke and a tier-rule change still
work, read from the database (kernel.caching), instead of failing with a 500."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Tier, TierRule
from organization import services
from organization.models import ApiClient
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
DOWN = "redis://127.0.0.1:1/0"  # port 1: connection refused at once


@pytest.fixture
def unreachable_cache(settings: Any) -> None:
    # Django's setting_changed handler replaces the cache connections: `cache` now points at nothing.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN}}


def test_with_the_cache_down_a_token_still_opens_the_api_and_a_revoke_still_closes_it(
    unreachable_cache: None, read_token: str
) -> None:
    AccountFactory.create()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    assert api.get("/api/v1/accounts").status_code == 200

    services.revoke_api_client(client=ApiClient.objects.get(name="scheduling"))
    assert api.get("/api/v1/accounts").status_code == 401


def test_with_the_cache_down_a_changed_cadence_shows_in_the_next_response(
    unreachable_cache: None, read_token: str
) -> None:
    account = AccountFactory.create()
    rule = TierRule.objects.get(tier=account.tier)
    rule.cadence_days = 11
    rule.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    body = api.get(f"/api/v1/accounts/{account.pk}").json()
    assert body["cadence_days"] == 11
    assert Tier(account.tier)  # a real tier, whose rule was the one changed


def test_a_window_counts_its_events_and_says_how_long_it_has_left() -> None:
    from kernel import caching

    count, left = caching.count_in_window("test:window", 60)
    assert count == 1
    assert 59 <= left <= 60
    count, left = caching.count_in_window("test:window", 60)
    assert count == 2
    assert 0 < left <= 60
    assert caching.count_in_window("test:other-window", 60)[0] == 1  # each key its own window
