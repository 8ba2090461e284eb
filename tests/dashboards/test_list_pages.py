"""Every list page renders a page of 50 with a count (or "more than"): the ones this work changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dashboards.views import PAGE_SIZE
from feedback.views import INBOX_PAGE
from organization.models import Role
from tests.factories import ContactLogFactory, IssueFactory, UserFactory

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_inbox_shows_fifty_issues_a_page_with_their_count(bob: Any, engineering: Any) -> None:
    IssueFactory.create_batch(INBOX_PAGE + 1, department=engineering, contact_log=ContactLogFactory.create())

    html = logged_in(bob).get(reverse("feedback:inbox")).content.decode()

    assert INBOX_PAGE == 50
    assert html.count("<article") == 50
    assert "51 issues · showing 1–50" in html


def test_the_scorecards_list_fifty_people_a_page_with_their_count(erin: Any) -> None:
    UserFactory.create_batch(PAGE_SIZE + 5, role=Role.ACCOUNT_MANAGER)  # and erin: 56 people
    client = logged_in(erin)

    first = client.get(reverse("dashboards:scorecards")).content.decode()
    second = client.get(reverse("dashboards:scorecards"), {"page": 2, "days": 90}).content.decode()

    assert PAGE_SIZE == 50
    assert "56 scorecards · showing 1–50" in first and "Page 1 of 2" in first
    assert first.count('href="/scorecards/people/') == 50
    assert "56 scorecards · showing 51–56" in second and second.count('href="/scorecards/people/') == 6
    assert "?days=90&page=1" in second  # the period kept across pages


def test_the_people_rows_alone_answer_an_htmx_page_request(erin: Any) -> None:
    UserFactory.create_batch(PAGE_SIZE, role=Role.ACCOUNT_MANAGER)
    response = logged_in(erin).get(
        reverse("dashboards:scorecards"), {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-rows"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="people-rows">') and "Departments" not in html
    assert html.count('href="/scorecards/people/') == 1
