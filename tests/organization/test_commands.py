from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_create_api_client_prints_a_working_token_on_its_last_line(engineering: Any, api: APIClient) -> None:
    out = StringIO()
    call_command("create_api_client", "billing", "--scopes", "read,write", stdout=out, stderr=StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    response = api.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["scopes"] == ["read", "write"]


def test_create_api_client_rejects_an_unknown_scope(engineering: Any) -> None:
    with pytest.raises(CommandError, match="admin"):
        call_command("create_api_client", "billing", "--scopes", "read,admin", stdout=StringIO())


def test_create_api_client_rejects_a_duplicate_name(engineering: Any) -> None:
    call_command("create_api_client", "billing", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_api_client", "billing", stdout=StringIO(), stderr=StringIO())
