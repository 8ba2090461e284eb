"""The accounts REST API: customer accounts in rank order, their contacts, and the priority criteria.

Reads are scoped with accounts.selectors first, so an account the caller may not see (a confidential one, for an
API client or someone off its team) is a 404 here as everywhere. Writes call accounts.services, like the pages do.

Updates are optimistic: the caller sends the version it edited, as `version` in the body or as an
`If-Match: "<version>"` header (detail responses carry it as `ETag`). A stale version is refused with 412 and
nothing is written; an update without any version is refused with 428, so no client can overwrite blindly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import django_filters
from django.db import IntegrityError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies, selectors, services
from accounts.api import rows
from accounts.api.serializers import (
    TIER_NAMES,
    TIERS_BY_NAME,
    AccountDetailSerializer,
    AccountFieldsSerializer,
    AccountSerializer,
    VersionedFieldsSerializer,
)
from accounts.filters import AccountFilter
from accounts.models import Account, AccountTeamMember, BuyingRole, CustomerContact, PriorityCriterion, TeamRole, Tier
from kernel.api.idempotency import idempotent
from kernel.api.rows import JSONRenderer
from kernel.api.schema import (
    IF_MATCH_HEADER,
    error_response,
    etag_header,
)
from kernel.api.versioning import PreconditionFailed, PreconditionRequired, versioned_response
from kernel.api.versioning import expected_version as _expected_version
from kernel.versions import StaleVersion
from organization.api.authentication import person as _person
from organization.models import User

# Sessions: who may add accounts. API clients need the write scope instead (HasApiScope checks it).

# `?ordering=` → the cursor ordering. Each ends in `id`, so the order is total and a cursor is exact; only a row
# whose rank or updated_at changes during a walk can move past it (a recompute re-ranks; an edit moves updated_at).
ACCOUNT_ORDERINGS: dict[str, tuple[str, ...]] = {
    "rank": ("rank", "id"),
    "-rank": ("-rank", "-id"),
    "name": ("name", "id"),
    "updated_at": ("updated_at", "id"),
}

ETAG_HEADER = etag_header("account")
ORDERING_PARAMETER = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    enum=list(ACCOUNT_ORDERINGS),
    default="rank",
    description="Sort order. `rank` (1 = most strategic) by default; `updated_at` suits incremental sync.",
)


STALE_RESPONSES = {
    409: error_response("Another request wrote a conflicting account (same external id) at the same moment; retry."),
    412: error_response("The version you sent is stale (someone else changed the account): re-read it and retry."),
    428: error_response('No version: send `version` in the body or an `If-Match: "<version>"` header.'),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Another request wrote a conflicting account at the same moment; retry."
    default_code = "conflict"


class AccountApiFilter(AccountFilter):
    """The page's AccountFilter, with tiers named as the API names them (`tier=strategic`), not numbered."""

    tier = django_filters.MultipleChoiceFilter(
        choices=[(name, Tier(value).label) for value, name in TIER_NAMES.items()], method="filter_tier"
    )

    def filter_tier(self, queryset: QuerySet[Account], name: str, value: list[str]) -> QuerySet[Account]:
        return queryset.filter(tier__in=[TIERS_BY_NAME[tier] for tier in value])


class ContactFilter(django_filters.FilterSet):  # type: ignore[misc]
    account = django_filters.NumberFilter(field_name="account_id", label="Account id")
    buying_role = django_filters.MultipleChoiceFilter(choices=BuyingRole.choices)
    is_active = django_filters.BooleanFilter()
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = CustomerContact
        fields = ["account", "buying_role", "is_active", "updated_since"]


@extend_schema_serializer(component_name="Contact")
class ContactSerializer(serializers.ModelSerializer[CustomerContact]):
    """A person at a customer: their buying role and influence, their needs and their wants."""

    account = serializers.IntegerField(source="account_id", read_only=True)
    needs = serializers.ListField(child=serializers.CharField(), read_only=True)
    wants = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = CustomerContact
        fields = [
            "id",
            "account",
            "name",
            "title",
            "email",
            "phone",
            "buying_role",
            "influence",
            "needs",
            "wants",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


def _check_may_create(request: Request) -> None:
    person = _person(request)
    if person is not None and not policies.can_create_account(person=person):
        raise exceptions.PermissionDenied(
            "Only account managers, department leads, executives and admins add accounts."
        )


def _check_may_edit(request: Request, account: Account) -> None:
    person = _person(request)
    if person is not None and not policies.can_edit_account(person=person, account=account):
        raise exceptions.PermissionDenied("Only the owner, team members who may edit, and admins change this account.")


@contextmanager
def _refusing_lost_updates() -> Iterator[None]:
    try:
        yield
    except StaleVersion as stale:
        raise PreconditionFailed(str(stale)) from None
    except IntegrityError:
        # Two writers raced for one external id: full_clean() saw it free, the unique index did not.
        raise Conflict() from None


def _row_context() -> dict[str, Any]:
    """What every account row shows but no row should fetch: the tier cadences (one query) and today."""
    return {"cadence_days": selectors.cadence_days(), "today": timezone.localdate()}


def _account_response(account: Account, *, created: bool = False) -> Response:
    location = reverse("api:account", kwargs={"pk": account.pk}) if created else None
    return versioned_response(
        AccountDetailSerializer(account, context=_row_context()).data, version=account.version, location=location
    )


def _lean_account_response(request: Request, pk: int) -> Response:
    """GET of one account the caller may see (404 otherwise), from lean rows: two queries."""
    body = rows.account_detail_body(selectors.accounts_for_user(user=request.user), pk=pk)
    if body is None:
        raise exceptions.NotFound()
    return versioned_response(body, version=body["version"])


class AccountListApi(generics.ListAPIView[Account]):
    """Customer accounts you may see, most strategic first, cursor-paginated.

    `ordering` may also be `-rank`, `name` or `updated_at` (with `updated_since`: an incremental sync feed); the
    `next` link keeps it. `tier` filters by name: `strategic`, `key`, `core`, `maintain`. POST adds an account:
    API clients need the write scope; people, the account manager, department lead, executive or admin role.
    """

    filterset_class = AccountApiFilter
    serializer_class = AccountSerializer
    OutputSerializer = AccountSerializer  # the body's contract; accounts.api.rows writes it
    renderer_classes = [JSONRenderer]

    @extend_schema_serializer(component_name="AccountCreate")
    class InputSerializer(AccountFieldsSerializer):
        """A new account. Its rank, tier and score follow from its criterion scores (none yet: the lowest tier)."""

        external_id = serializers.CharField(
            max_length=100, required=False, allow_blank=True, allow_null=True, help_text="Unique when given."
        )

    @property
    def cursor_ordering(self) -> tuple[str, ...]:
        requested = self.request.query_params.get("ordering", "rank")
        if requested not in ACCOUNT_ORDERINGS:
            raise exceptions.ValidationError({"ordering": [f"Choose one of: {', '.join(ACCOUNT_ORDERINGS)}."]})
        return ACCOUNT_ORDERINGS[requested]

    def get_queryset(self) -> QuerySet[Account]:
        return selectors.accounts_for_user(user=self.request.user)

    @extend_schema(parameters=[ORDERING_PARAMETER], responses=OutputSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(rows.account_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(rows.account_rows(page or []))

    @extend_schema(request=InputSerializer, responses={201: AccountDetailSerializer}, parameters=[ETAG_HEADER])
    @idempotent
    def post(self, request: Request) -> Response:
        _check_may_create(request)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with _refusing_lost_updates():
            account = services.create_account(
                created_by=_person(request), now=timezone.now(), **incoming.validated_data
            )
        return _account_response(account, created=True)


class AccountDetailApi(APIView):
    """One account you may see (404 otherwise). PATCH needs the version you edited; see the module docstring."""

    OutputSerializer = AccountDetailSerializer  # the body's contract; accounts.api.rows writes it for GET
    renderer_classes = [JSONRenderer]

    @extend_schema_serializer(component_name="AccountUpdate")
    class InputSerializer(VersionedFieldsSerializer):
        """The fields to change, and the version you edited (here or as an If-Match header)."""

        external_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)

    @extend_schema(responses=OutputSerializer, parameters=[ETAG_HEADER])
    def get(self, request: Request, pk: int) -> Response:
        return _lean_account_response(request, pk)

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **STALE_RESPONSES},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    def patch(self, request: Request, pk: int) -> Response:
        account = get_object_or_404(selectors.accounts_for_user(user=request.user), pk=pk)
        _check_may_edit(request, account)
        incoming = self.InputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        expected = _expected_version(request, fields.pop("version", None))
        if expected is None:
            raise PreconditionRequired()
        with _refusing_lost_updates():
            account = services.update_account(
                account=account, changed_by=_person(request), now=timezone.now(), expected_version=expected, **fields
            )
        return _account_response(account)


class AccountByExternalIdApi(APIView):
    """An account by the id another system knows it by: read it, or upsert it with PUT.

    PUT creates the account (201) when no account has this external id; creating needs no version. When one
    exists, PUT updates it (200) under PATCH's rules: send the version you read (`If-Match: "<version>"` or
    `version` in the body), or get 428; a stale one gets 412. A version sent for an external id no account has
    is a failed precondition too (412): the account you read is gone, and PUT will not silently re-create it.
    The body needs `name`, `segment` and `owner` either way; other fields left out keep their stored values on
    update (their defaults on create). Creating needs the role or scope POST /accounts needs; updating, what
    PATCH needs. An external id held by an account you may not see is answered as one no account has (GET 404,
    PUT creates): creating it is then refused as POST /accounts refuses any external id in use (400 on
    `external_id`, naming no account), so the answer is the same whoever holds it (docs/security.md).
    """

    OutputSerializer = AccountDetailSerializer
    renderer_classes = [JSONRenderer]

    @extend_schema_serializer(component_name="AccountUpsert")
    class InputSerializer(VersionedFieldsSerializer):
        """An account as another system knows it. `version` (or If-Match) is required to update, not to create."""

    @extend_schema(responses=OutputSerializer, parameters=[ETAG_HEADER])
    def get(self, request: Request, external_id: str) -> Response:
        visible = selectors.accounts_for_user(user=request.user).filter(external_id=external_id)
        pk = visible.values_list("pk", flat=True).first()
        if pk is None:
            raise exceptions.NotFound()
        return _lean_account_response(request, pk)

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, 201: OutputSerializer, **STALE_RESPONSES},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    def put(self, request: Request, external_id: str) -> Response:
        account = selectors.accounts_for_user(user=request.user).filter(external_id=external_id).first()
        if account is None:  # none, or one this caller may not see: the same answers either way
            _check_may_create(request)
        else:
            _check_may_edit(request, account)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        expected = _expected_version(request, fields.pop("version", None))
        if account is None:
            if expected is not None:
                raise PreconditionFailed("No account has this external id (any more): nothing to update.")
            with _refusing_lost_updates():
                account = services.create_account(
                    created_by=_person(request), now=timezone.now(), external_id=external_id, **fields
                )
            return _account_response(account, created=True)
        if expected is None:
            raise PreconditionRequired()
        with _refusing_lost_updates():
            account = services.update_account(
                account=account, changed_by=_person(request), now=timezone.now(), expected_version=expected, **fields
            )
        return _account_response(account)


class AccountContactListApi(generics.ListAPIView[CustomerContact]):
    """The active contacts at one account you may see (404 otherwise), most influential first."""

    serializer_class = ContactSerializer
    cursor_ordering = ("-influence", "name", "id")
    filter_backends = []

    def get_queryset(self) -> QuerySet[CustomerContact]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to scope by
            return CustomerContact.objects.none()
        account = get_object_or_404(selectors.accounts_for_user(user=self.request.user), pk=self.kwargs["pk"])
        return account.contacts.filter(is_active=True)

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The account's id.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema_serializer(component_name="AccountTeamMember")
class TeamMemberSerializer(serializers.ModelSerializer[AccountTeamMember]):
    """Someone on an account's team: they open the account (a confidential one too); `can_edit`: they change it."""

    user_name = serializers.CharField(source="user.full_name", read_only=True)
    department = serializers.CharField(source="user.department.name", read_only=True, allow_null=True, default=None)
    role = serializers.ChoiceField(choices=TeamRole.choices)

    class Meta:
        model = AccountTeamMember
        fields = ["id", "account", "user", "user_name", "department", "role", "can_edit"]
        read_only_fields = fields


def _team_account(request: Request, pk: int) -> Account:
    """The account, if the caller may see it (404 otherwise); for writes, also manage its team (403)."""
    account = get_object_or_404(selectors.accounts_for_user(user=request.user), pk=pk)
    person = _person(request)
    if request.method not in ("GET", "HEAD", "OPTIONS") and not policies.can_manage_team(
        person=person, account=account
    ):
        raise exceptions.PermissionDenied("Only the owner, team members who may edit, and admins change this team.")
    return account


_ACCOUNT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The account's id.")


class AccountTeamApi(generics.ListAPIView[AccountTeamMember]):
    """The team of one account you may see (404 otherwise). POST adds someone from any department: the owner,
    team members who may edit and admins may (API clients need the write scope, and see no confidential account).
    """

    serializer_class = TeamMemberSerializer
    cursor_ordering = ("id",)
    filter_backends = []

    @extend_schema_serializer(component_name="AccountTeamMemberCreate")
    class InputSerializer(serializers.Serializer[Any]):
        """Who joins, their part on the team, and whether they may edit the account and its team."""

        user: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.filter(is_active=True), help_text="The id of an active person, any department."
        )
        role = serializers.ChoiceField(choices=TeamRole.choices)
        can_edit = serializers.BooleanField(default=False)

    def get_queryset(self) -> QuerySet[AccountTeamMember]:
        if getattr(self, "swagger_fake_view", False):
            return AccountTeamMember.objects.none()
        account = _team_account(self.request, self.kwargs["pk"])
        return account.team_members.select_related("user__department")

    @extend_schema(parameters=[_ACCOUNT_ID])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(parameters=[_ACCOUNT_ID], request=InputSerializer, responses={201: TeamMemberSerializer})
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        account = _team_account(request, pk)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        member = services.add_team_member(account=account, added_by=_person(request), **incoming.validated_data)
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class AccountTeamMemberApi(APIView):
    """One member of the team of an account you may see. DELETE takes them off the team (who may: as for POST)."""

    @extend_schema(
        parameters=[_ACCOUNT_ID, OpenApiParameter("member_id", int, OpenApiParameter.PATH)],
        responses={204: None},
    )
    def delete(self, request: Request, pk: int, member_id: int) -> Response:
        account = _team_account(request, pk)
        member = get_object_or_404(account.team_members.select_related("account"), pk=member_id)
        services.remove_team_member(member=member, removed_by=_person(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContactListApi(generics.ListAPIView[CustomerContact]):
    """Contacts (active and not) at every account you may see, oldest first: with `updated_since`, a sync feed."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    cursor_ordering = ("id",)

    def get_queryset(self) -> QuerySet[CustomerContact]:
        return CustomerContact.objects.filter(account__in=selectors.accounts_for_user(user=self.request.user))


class PriorityCriterionListApi(generics.ListAPIView[PriorityCriterion]):
    """What makes a customer strategically important, with the executive-set weights (inactive ones included)."""

    cursor_ordering = ("order", "id")
    queryset = PriorityCriterion.objects.all()

    @extend_schema_serializer(component_name="PriorityCriterion")
    class OutputSerializer(serializers.ModelSerializer[PriorityCriterion]):
        """What makes a customer strategically important; an account's score is the weighted mean over these."""

        class Meta:
            model = PriorityCriterion
            fields = ["id", "name", "description", "weight", "is_active", "order"]
            read_only_fields = fields

    serializer_class = OutputSerializer
