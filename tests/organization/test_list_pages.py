"""The notifications list pages through every notification and says how many there are."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from organization.models import Notification
from organization.views import NOTIFICATIONS_PAGE

pytestmark = pytest.mark.django_db


def notify(user: Any, count: int) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(user=user, kind="test", title=f"Note {n}", url=f"/n/{n}/", dedupe_key=f"test:{n}")
        for n in range(count)
    )


def test_the_notifications_page_through_every_one_once(client: Any, alice: Any) -> None:
    notes = notify(alice, NOTIFICATIONS_PAGE + 3)
    client.force_login(alice)

    pages = [client.get(reverse("notifications"), {"page": n}).content.decode() for n in (1, 2)]

    shown = [int(n) for html in pages for n in re.findall(r'href="/n/(\d+)/"', html)]
    assert sorted(shown) == list(range(len(notes)))
    assert (
        f"{NOTIFICATIONS_PAGE + 3} notifications · showing {NOTIFICATIONS_PAGE + 1}–{NOTIFICATIONS_PAGE + 3}"
        in pages[1]
    )


@pytest.mark.parametrize("count", [1, 2 * NOTIFICATIONS_PAGE])
def test_the_notifications_page_costs_the_same_queries_however_many_there_are(
    client: Any, alice: Any, django_assert_num_queries: Any, count: int
) -> None:
    notify(alice, count)
    client.force_login(alice)
    # session, user, the capped count, the page, unread count, department (navbar)
    with django_assert_num_queries(6):
        client.get(reverse("notifications"))
