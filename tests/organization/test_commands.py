from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from organization.models import ApiClient
from tests.factories import DepartmentFactory

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


def test_create_api_client_says_which_department_it_belongs_to(engineering: Any) -> None:
    DepartmentFactory.create(name="Billing", slug="billing")
    err = StringIO()

    call_command("create_api_client", "erp", "--department", "engineering", stdout=StringIO(), stderr=err)

    assert ApiClient.objects.get(name="erp").department == engineering
    assert "belonging to the Engineering department (engineering)." in err.getvalue()


def test_create_api_client_without_a_department_names_the_default_and_the_choices(engineering: Any) -> None:
    DepartmentFactory.create(name="Billing", slug="billing")
    err = StringIO()

    call_command("create_api_client", "erp", stdout=StringIO(), stderr=err)

    assert ApiClient.objects.get(name="erp").department.slug == "billing"
    assert "Billing department (billing): the first by name; --department picks another (billing, engineering)" in (
        err.getvalue()
    )


def test_create_api_client_refuses_an_unknown_department_and_lists_the_known_ones(engineering: Any) -> None:
    with pytest.raises(CommandError, match="one of: engineering"):
        call_command("create_api_client", "erp", "--department", "nope", stdout=StringIO(), stderr=StringIO())
