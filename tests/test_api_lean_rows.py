"""The lean API rows (kernel.api.rows and each app's api/rows.py) answer byte for byte what the serializers wrote.

On the demo data, for an executive, an account manager and an API client, every list page and every detail of
the accounts, contact logs, issues and action plans is compared with the body the old view made: the serializer
over the same QuerySet, page and cursor, rendered by DRF's JSONRenderer. Some rows are first given what is hard
to write the same way twice: line separators, control characters, a tiny float, a date-time before 1937.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework import generics, renderers
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from accounts import selectors as account_selectors
from accounts.api.serializers import AccountDetailSerializer, AccountSerializer
from accounts.api.views import AccountListApi
from accounts.models import Account
from actionplans.api import views as actionplan_views
from actionplans.api.serializers import ActionPlanSerializer
from actionplans.api.views import ActionPlanListApi
from actionplans.models import ActionPlan
from feedback import selectors as feedback_selectors
from feedback.api import views as feedback_views
from feedback.api.serializers import ContactLogSerializer, IssueSerializer
from feedback.api.views import ContactLogListApi, IssueListApi
from feedback.models import ContactLog, Issue, IssueHandoff
from kernel.api.rows import JSONRenderer
from organization import services as organization_services
from organization.api.authentication import ApiClientPrincipal
from organization.models import ApiClient, Department, Role, User
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
DETAILS_PER_KIND = 60  # spread over all of them: every detail of the demo data takes minutes


@pytest.fixture(autouse=True)
def _unthrottled(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "100000/min"}}


ODD_TEXT = 'Line\u2028para\u2029 tab\t bell\x07 del\x7f quote" back\\ slash/ é 🚀 \ud7ff'


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", "--quiet", "--seed", "1")
    account = Account.objects.order_by("rank").first()
    assert account is not None
    Account.objects.filter(pk=account.pk).update(
        name=ODD_TEXT,
        needs=[ODD_TEXT, "plain", 2**70, 0.1],  # a number orjson will not read, and one it reads as json does
        health=12,
        health_signals=[
            {"key": "contact", "label": ODD_TEXT, "points": 1e-05, "max": 30, "detail": "tiny"},
            {"key": "ratings", "label": "Ratings", "points": 12.5, "max": 25, "detail": ""},
        ],
        score=Decimal("7.5"),
        last_contact_at=datetime(1930, 6, 1, 12, 0, tzinfo=UTC),  # Amsterdam then: +00:19:32, written in UTC
    )
    ContactLog.objects.filter(account=account).update(summary=ODD_TEXT, topics=["delivery", ODD_TEXT])
    Issue.objects.filter(account=account).update(verbatim=ODD_TEXT)
    # Pending hand-offs, read as JSON the database builds: times with and without a fraction, and before 1937.
    moments = [
        datetime(2026, 11, 30, 9, 15, 7, 123400, tzinfo=UTC),
        datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
        datetime(1930, 6, 1, 12, 0, 0, 5, tzinfo=UTC),
    ]
    for issue, moment in zip(Issue.objects.filter(status="new").order_by("-raised_at")[:3], moments, strict=True):
        other = Department.objects.exclude(pk=issue.department_id).first()
        assert other is not None
        IssueHandoff.objects.create(
            issue=issue,
            from_department=issue.department,
            to_department=other,
            note=ODD_TEXT,
            handed_off_by=issue.raised_by,
            handed_off_at=moment,
        )


def callers() -> list[str]:
    return ["executive", "account manager", "api client"]


def _caller(kind: str) -> tuple[Any, ApiClient | None]:
    if kind == "executive":
        return User.objects.filter(role=Role.EXECUTIVE).order_by("email").first(), None
    if kind == "account manager":
        # Off the team of others' confidential accounts: the visibility rules hide some rows from her.
        return User.objects.get(email="alice@example.com"), None
    client, _ = organization_services.create_api_client(
        name="lean-rows", department=Department.objects.order_by("pk")[0], can_read=True, can_write=False
    )
    return ApiClientPrincipal(client), client


def _signed_in(kind: str) -> tuple[APIClient, Any, ApiClient | None]:
    principal, client = _caller(kind)
    api = APIClient()
    api.force_authenticate(principal, token=cast(Any, client))
    return api, principal, client


def _old_body(data: Any) -> bytes:
    return bytes(renderers.JSONRenderer().render(data))


def _drf_request(path: str, principal: Any, client: ApiClient | None) -> Request:
    request = Request(APIRequestFactory().get(path))
    request.user = principal
    request.auth = client
    return request


def _old_list_body(
    view_class: type[generics.GenericAPIView[Any]], request: Request, serialize: Callable[..., Any]
) -> bytes:
    """What the list view answered before the lean rows: the serializer over the page of the same QuerySet."""
    view = view_class()
    view.request, view.args, view.kwargs, view.format_kwarg = request, (), {}, None
    page = view.paginate_queryset(view.filter_queryset(view.get_queryset()))
    return _old_body(view.get_paginated_response(serialize(page)).data)


def _pages(api: APIClient, path: str) -> Iterator[tuple[str, bytes]]:
    """Every page of a list, following `next`: (the page's path and query, its body)."""
    while path:
        response = api.get(path)
        assert response.status_code == 200, response.content
        yield path, response.content
        following = response.json()["next"]
        path = "" if following is None else (lambda url: f"{url.path}?{url.query}")(urlsplit(following))


def _account_context() -> dict[str, Any]:
    return {"cadence_days": account_selectors.tier_rules().cadence_days, "today": timezone.localdate()}


def _accounts(page: Any) -> Any:
    return AccountSerializer(page, many=True, context=_account_context()).data


LISTS: list[tuple[str, type[Any], Callable[[Any], Any]]] = [
    ("/api/v1/accounts", AccountListApi, _accounts),
    ("/api/v1/accounts?ordering=name&page_size=70", AccountListApi, _accounts),
    ("/api/v1/accounts?ordering=updated_at&tier=strategic", AccountListApi, _accounts),
    ("/api/v1/contact-logs", ContactLogListApi, lambda page: ContactLogSerializer(page, many=True).data),
    ("/api/v1/issues", IssueListApi, lambda page: IssueSerializer(page, many=True).data),
    ("/api/v1/action-plans", ActionPlanListApi, lambda page: ActionPlanSerializer(page, many=True).data),
]


DETAILS: list[tuple[str, Callable[[Any], Any], Callable[[Any, int], Any]]] = [
    (
        "/api/v1/accounts/{}",
        lambda user: account_selectors.accounts_for_user(user=user),
        lambda user, pk: (
            AccountDetailSerializer(
                account_selectors.account_detail_for_user(user=user, pk=pk), context=_account_context()
            ).data
        ),
    ),
    (
        "/api/v1/contact-logs/{}",
        lambda user: feedback_views._logs(user),
        lambda user, pk: ContactLogSerializer(feedback_views._logs(user).get(pk=pk)).data,
    ),
    (
        "/api/v1/issues/{}",
        lambda user: feedback_selectors.issues_for_user(user=user),
        lambda user, pk: IssueSerializer(feedback_selectors.issues_for_user(user=user).get(pk=pk)).data,
    ),
    (
        "/api/v1/action-plans/{}",
        lambda user: actionplan_views._plans(user),
        lambda user, pk: ActionPlanSerializer(actionplan_views._plans(user).get(pk=pk)).data,
    ),
]
MODELS: dict[str, Any] = {"accounts": Account, "contact-logs": ContactLog, "issues": Issue, "action-plans": ActionPlan}


@pytest.mark.parametrize("kind", callers())
def test_every_list_page_and_detail_is_the_serializers_body_byte_for_byte(demo: None, kind: str) -> None:
    api, principal, client = _signed_in(kind)
    department = Issue.objects.values_list("department_id", flat=True).order_by("department_id").first()
    lists: list[tuple[str, type[Any], Callable[[Any], Any]]] = [
        *LISTS,
        (f"/api/v1/issues?department={department}", IssueListApi, LISTS[4][2]),
    ]

    for path, view_class, serialize in lists:
        pages = list(_pages(api, path))
        for page_path, body in pages:
            assert body == _old_list_body(view_class, _drf_request(page_path, principal, client), serialize), page_path
        assert pages[0][1].startswith(b'{"next":'), path

    for path, visible, detail in DETAILS:  # and the ones this caller may not see stay a 404
        ids = list(visible(principal).values_list("pk", flat=True))
        assert ids, path
        for pk in ids[:: max(1, len(ids) // DETAILS_PER_KIND)]:
            response = api.get(path.format(pk))
            assert response.status_code == 200, path.format(pk)
            assert response.content == _old_body(detail(principal, pk)), path.format(pk)
            assert response["ETag"] == f'"{response.json()["version"]}"'
        model = MODELS[path.split("/")[3]]
        for pk in model.objects.exclude(pk__in=ids).values_list("pk", flat=True)[:10]:
            assert api.get(path.format(pk)).status_code == 404, path.format(pk)


def test_an_account_by_external_id_is_its_detail_byte_for_byte(engineering: Department) -> None:
    account = AccountFactory.create(external_id="crm-42/a b")
    api, _, _ = _signed_in("api client")
    assert account.external_id

    response = api.get(reverse("api:account-by-external-id", kwargs={"external_id": account.external_id}))

    assert response.content == api.get(reverse("api:account", kwargs={"pk": account.pk})).content


def test_the_renderer_writes_what_drfs_renderer_writes() -> None:
    data = {
        "text": ODD_TEXT,
        "numbers": [0, -1, 2**63 - 1, 0.1, 1e16, 12.5, -0.0],
        "nested": [{"a": None, "b": True, "c": False}, []],
    }
    assert JSONRenderer().render(data) == _old_body(data)
    # What orjson would write its own way goes through DRF's renderer.
    odd = {"when": datetime(2024, 5, 1, 12, 30, 1, 123456, tzinfo=UTC), "on": date(2024, 5, 1), "d": Decimal("1.50")}
    assert JSONRenderer().render(odd) == _old_body(odd)
    assert JSONRenderer().render({"big": 2**64}) == _old_body({"big": 2**64})
    assert JSONRenderer().render(data, "application/json; indent=2") == bytes(
        renderers.JSONRenderer().render(data, "application/json; indent=2")
    )
    # A write's answer is a serializer's, its floats unchecked: DRF writes it.
    tiny = {"points": 1e-05}
    posted = {"request": Request(APIRequestFactory().post("/api/v1/accounts"))}
    assert JSONRenderer().render(tiny, "application/json", posted) == _old_body(tiny) == b'{"points":1e-05}'
