"""Who to call next pages through every due account and says how many there are."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from accounts.views import PAGE_SIZE
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_call_next_pages_through_every_due_account_once(client: Any, alice: Any) -> None:
    due = AccountFactory.create_batch(PAGE_SIZE + 2, owner=alice)
    Account.objects.update(next_contact_due=timezone.localdate())
    client.force_login(alice)

    pages = [client.get(reverse("accounts:call-next"), {"page": n}).content.decode() for n in (1, 2)]

    shown = [int(pk) for html in pages for pk in re.findall(r'href="/accounts/(\d+)/"', html)]
    assert sorted(shown) == sorted(account.pk for account in due)
    assert f"{PAGE_SIZE + 2} accounts · showing 1–{PAGE_SIZE}" in pages[0]
    assert "Page 2 of 2" in pages[1]


@pytest.mark.parametrize("count", [1, PAGE_SIZE + 2])
def test_call_next_costs_the_same_queries_however_many_are_due(
    client: Any, alice: Any, django_assert_num_queries: Any, count: int
) -> None:
    AccountFactory.create_batch(count, owner=alice)
    Account.objects.update(next_contact_due=timezone.localdate())
    client.force_login(alice)
    # session, user, the count, the page (+segment), unread count, department (navbar)
    with django_assert_num_queries(6):
        client.get(reverse("accounts:call-next"))
