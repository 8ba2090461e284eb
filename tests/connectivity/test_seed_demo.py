from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import Account, PriorityCriterion, Segment, TierRule
from actionplans.models import ActionPlan
from feedback.models import ContactLog, Issue
from organization.models import Department, Role, User

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--quiet", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seed_demo_creates_a_user_of_every_role_and_a_lead_per_department() -> None:
    seed()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert not Department.objects.filter(lead=None).exists()
    assert User.objects.get(email="bob@example.com").manager == Department.objects.get(slug="engineering").lead


def test_seed_demo_prints_logins_that_work(client: object) -> None:
    out = seed()
    assert "alice@example.com" in out
    password = out.split("(password ")[1].split(")")[0]
    assert User.objects.get(email="alice@example.com").check_password(password)


def fingerprint() -> tuple[list[Any], list[Any]]:
    people = list(User.objects.order_by("email").values_list("email", "full_name", "role", "department__slug"))
    customers = list(Account.objects.order_by("rank").values_list("name", "score", "tier", "owner__email"))
    return people, customers


def test_the_same_seed_gives_the_same_people_and_customers() -> None:
    seed("--seed", "7")
    first = fingerprint()
    for model in (ActionPlan, Issue, ContactLog, Account, Segment, PriorityCriterion, TierRule, User, Department):
        model.objects.all().delete()
    seed("--seed", "7")
    assert fingerprint() == first


def test_seed_demo_if_empty_leaves_existing_data_alone() -> None:
    seed()
    count = User.objects.count()
    assert "nothing to do" in seed("--if-empty")
    assert User.objects.count() == count


def test_seed_demo_leaves_the_logins_to_serve_when_asked(client: object) -> None:
    out = seed("--no-logins")
    assert "Seeded small demo data" in out
    assert "alice@example.com" not in out
