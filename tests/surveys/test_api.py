"""The survey API: read only, scoped like every list, cursor pages, strict filters, a constant query count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from feedback.models import Topic
from surveys.api.serializers import SurveyCampaignSerializer, SurveyResponseSerializer, SurveySerializer
from surveys.models import SurveyKind
from tests.factories import AccountFactory
from tests.surveys.answered import answer, campaign, invite

pytestmark = pytest.mark.django_db


def as_system(api: APIClient, token: str) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_the_survey_list_shows_both_shipped_surveys_with_their_current_questions(
    api: APIClient, read_token: str
) -> None:
    body = as_system(api, read_token).get(reverse("api:surveys")).json()

    surveys = {row["slug"]: row for row in body["results"]}
    assert set(surveys) == {"annual-perception", "pulse"}
    annual = surveys["annual-perception"]
    assert annual["kind"] == "annual" and annual["version"] == 1
    assert len(annual["questions"]) <= 12
    assert [q["dimension"] for q in annual["questions"][:7]] == [
        "business_relationship",
        "product_performance",
        "field_service",
        "delivery",
        "quality",
        "billing",
        "pricing",
    ]
    assert SurveySerializer(annual).data == annual  # the schema's serializer writes the same body


def test_responses_list_the_customers_words_and_never_a_confidential_account_to_a_system(
    api: APIClient, read_token: str
) -> None:
    open_account = AccountFactory.create(name="Open Oaks")
    secret = AccountFactory.create(name="Secret Spruce", is_confidential=True)
    answer(open_account, year=2026, scores={Topic.DELIVERY: 2}, recommend=4, comments={Topic.DELIVERY: "Late, again."})
    answer(secret, year=2026, scores={Topic.DELIVERY: 1}, recommend=0)

    body = as_system(api, read_token).get(reverse("api:survey-responses")).json()

    assert [row["account_name"] for row in body["results"]] == ["Open Oaks"]
    row = body["results"][0]
    assert row["recommend"] == 4 and row["kind"] == "annual"
    delivery = next(a for a in row["answers"] if a["dimension"] == "delivery")
    assert (delivery["score"], delivery["comment"]) == (2, "Late, again.")
    assert SurveyResponseSerializer(row).data == row


def test_a_person_sees_the_confidential_answers_of_their_own_account_only(api: APIClient, alice: Any) -> None:
    mine = AccountFactory.create(owner=alice, is_confidential=True)
    theirs = AccountFactory.create(is_confidential=True)
    answer(mine, year=2026, scores={Topic.QUALITY: 5})
    answer(theirs, year=2026, scores={Topic.QUALITY: 5})
    api.force_authenticate(alice)

    body = api.get(reverse("api:survey-responses")).json()

    assert [row["account"] for row in body["results"]] == [mine.pk]


def test_partial_answers_are_not_listed(api: APIClient, read_token: str) -> None:
    response = answer(AccountFactory.create(), year=2026, scores={Topic.QUALITY: 3})
    type(response).objects.filter(pk=response.pk).update(submitted_at=None)

    assert as_system(api, read_token).get(reverse("api:survey-responses")).json()["results"] == []


def test_responses_filter_by_account_campaign_dimension_and_date(api: APIClient, read_token: str) -> None:
    first, second = AccountFactory.create(), AccountFactory.create()
    old = answer(first, year=2025, scores={Topic.BILLING: 4})
    new = answer(first, year=2026, scores={Topic.PRICING: 3})
    other = answer(second, year=2026, scores={Topic.BILLING: 2})
    client = as_system(api, read_token)

    def ids(**query: Any) -> list[int]:
        response = client.get(reverse("api:survey-responses"), query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(account=first.pk) == [new.pk, old.pk]
    assert ids(campaign=new.campaign_id) == [other.pk, new.pk] or ids(campaign=new.campaign_id) == [new.pk, other.pk]
    assert sorted(ids(dimension="billing")) == sorted([old.pk, other.pk])
    assert ids(account=first.pk, submitted_after="2026-01-01T00:00:00Z") == [new.pk]
    assert ids(submitted_before="2026-01-01T00:00:00Z") == [old.pk]


@pytest.mark.parametrize(
    "query", [{"dimension": "happiness"}, {"account": ""}, {"submitted_after": "2026-13-45"}, {"colour": "red"}]
)
def test_a_bad_filter_is_a_400_naming_it(api: APIClient, read_token: str, query: dict[str, str]) -> None:
    response = as_system(api, read_token).get(reverse("api:survey-responses"), query)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(query)
    assert response.json()["detail"]


def test_responses_page_with_a_cursor(api: APIClient, read_token: str) -> None:
    account = AccountFactory.create()
    start = timezone.now() - timedelta(days=10)
    made = [answer(account, year=2026, submitted_at=start + timedelta(hours=i)) for i in range(5)]
    client = as_system(api, read_token)

    first = client.get(reverse("api:survey-responses"), {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [row["id"] for row in first["results"] + second["results"]] == [r.pk for r in reversed(made)][:4]
    assert client.get(reverse("api:survey-responses"), {"cursor": "garbage!"}).status_code == 404


def test_campaigns_count_only_the_invitations_the_caller_may_see(api: APIClient, read_token: str) -> None:
    open_account = AccountFactory.create()
    secret = AccountFactory.create(is_confidential=True)
    answer(open_account, year=2026, scores={Topic.QUALITY: 4})
    invite(open_account, campaign(year=2026))
    answer(secret, year=2026, scores={Topic.QUALITY: 4})
    client = as_system(api, read_token)

    body = client.get(reverse("api:survey-campaigns")).json()
    by_secret = client.get(reverse("api:survey-campaigns"), {"account": secret.pk}).json()
    by_open = client.get(reverse("api:survey-campaigns"), {"account": open_account.pk, "kind": "annual"}).json()

    (row,) = body["results"]
    assert (row["invitations"], row["responses"], row["kind"]) == (2, 1, SurveyKind.ANNUAL)
    assert SurveyCampaignSerializer(row).data == row
    assert by_secret["results"] == []  # a hidden account was never invited, as far as a system can tell
    assert [r["id"] for r in by_open["results"]] == [row["id"]]


def test_the_api_is_read_only(api: APIClient, write_token: str) -> None:
    client = as_system(api, write_token)
    for name in ("api:surveys", "api:survey-campaigns", "api:survey-responses"):
        assert client.post(reverse(name), {}, format="json").status_code == 405


def test_the_api_needs_a_token(api: APIClient) -> None:
    assert api.get(reverse("api:survey-responses")).status_code == 401


def test_the_schema_documents_the_survey_endpoints(api: APIClient, read_token: str) -> None:
    schema = as_system(api, read_token).get(reverse("api-schema"), {"format": "json"}).json()

    assert {"/api/v1/surveys", "/api/v1/survey-campaigns", "/api/v1/survey-responses"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/survey-responses"]["get"]["parameters"]}
    assert {"account", "campaign", "dimension", "submitted_after", "submitted_before", "cursor"} <= parameters


@pytest.mark.parametrize("count", [1, 30])
def test_the_response_list_query_count_does_not_grow(
    api: APIClient, read_token: str, django_assert_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        answer(AccountFactory.create(), year=2026, scores={Topic.QUALITY: 4, Topic.DELIVERY: 2}, recommend=8)
    client = as_system(api, read_token)
    client.get(reverse("api:surveys"))  # the token's first use of the hour is recorded once

    # the token's client (cached), the page of responses (+campaign, account), their answers
    with django_assert_num_queries(2):
        response = client.get(reverse("api:survey-responses"))

    assert len(response.json()["results"]) == count
    assert all(len(row["answers"]) == 3 for row in response.json()["results"])


@pytest.mark.parametrize("count", [1, 30])
def test_the_campaign_list_query_count_does_not_grow(
    api: APIClient, alice: Any, django_assert_num_queries: Any, count: int
) -> None:
    for year in range(2000, 2000 + count):
        answer(AccountFactory.create(), year=year, scores={Topic.QUALITY: 4})
    api.force_authenticate(alice)

    # the page of campaigns (+version), the invitations counted per campaign
    with django_assert_num_queries(2):
        response = api.get(reverse("api:survey-campaigns"))

    assert len(response.json()["results"]) == count
