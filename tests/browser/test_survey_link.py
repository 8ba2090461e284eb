"""A contact answers the survey from the email they received, on a phone: half now, the rest later (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from organization.models import User
from surveys import selectors, services
from surveys.models import QuestionKind, SurveyResponse
from tests.factories import AccountFactory, ContactFactory
from tests.surveys.helpers import annual
from tests.surveys.mail import Inbox, link_url, smtp_server_fixture  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def answer(page: Any, question: Any, *, score: str = "4", text: str = "") -> None:
    if question.kind in {QuestionKind.NEEDS, QuestionKind.WANTS, QuestionKind.TEXT}:
        page.locator(f"#q{question.pk}").fill(text or "Faster spare parts.")
    else:
        value = "1" if question.kind in {QuestionKind.CHOOSE_AGAIN, QuestionKind.YES_NO} else score
        page.locator(f'label[for="q{question.pk}-{value}"]').click()


def test_a_contact_opens_the_emailed_link_at_phone_width_answers_half_leaves_comes_back_and_finishes(
    browser: Any, live_server: Any, alice: User, smtp_server: Inbox, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    account = AccountFactory.create(owner=alice, name="Acme Pumps")
    ContactFactory.create(account=account, name="Ann Anders", email="ann@acme.example")
    campaign = services.start_campaign(by=alice, template=annual(), name="Annual 2026", now=timezone.now())
    (message,) = smtp_server.wait_for(1)
    url = link_url(message)
    questions = selectors.questions(version_id=campaign.version_id)
    first_half, second_half = questions[:5], questions[5:]
    refused: list[str] = []

    # Day one: open the link from the email on a phone, answer five questions and a comment, save, leave.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Annual customer perception survey"
    assert page.get_by_text("For Acme Pumps").is_visible()
    assert no_sideways_scroll(page)
    for question in first_half:
        answer(page, question, score="2" if question.dimension == "delivery" else "4")
    page.locator(f"#q{first_half[3].pk}_comment").fill("Two late deliveries in March.")
    page.get_by_role("button", name="Save and finish later").click()
    page.get_by_text("Saved. You can finish later with the same link.").wait_for()
    assert no_sideways_scroll(page)
    context.close()

    # Later, in a fresh browser: the same link shows what was saved, and the rest can be answered.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(url)
    page.get_by_text("5 of 11 answered").wait_for()
    assert page.locator(f"#q{first_half[0].pk}-4").is_checked()
    assert page.locator(f"#q{first_half[3].pk}_comment").input_value() == "Two late deliveries in March."
    for question in second_half:
        answer(page, question, score="9" if question.kind == QuestionKind.RECOMMEND else "4")
    assert no_sideways_scroll(page)
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    assert no_sideways_scroll(page)

    # The link is used now: it answers the page every bad link answers.
    page.goto(url)
    page.get_by_role("heading", name="This survey link does not work").wait_for()
    context.close()

    response = SurveyResponse.objects.get()
    assert response.submitted_at is not None and response.recommend == 9
    assert response.answers.count() == 11
    assert response.answers.get(question=first_half[3]).comment == "Two late deliveries in March."
    assert refused == []
