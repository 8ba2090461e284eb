from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("logged_in", [False, True])
def test_every_page_names_a_favicon_of_our_own(client: Client, alice: Any, logged_in: bool) -> None:
    if logged_in:
        client.force_login(alice)
    html = client.get(reverse("home" if logged_in else "login")).content.decode()

    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)

    assert icon is not None
    assert icon.group(1).startswith("/static/favicon")
    assert finders.find("favicon.svg")
