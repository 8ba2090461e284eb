"""The feedback REST API: contact logs (with the issues they raise, in one call) and the issues themselves.

Reads are scoped with feedback.selectors first, so a log or an issue of an account the caller may not see (a
confidential one, for an API client or someone off its team) is never listed and is a 404 as everywhere; an
account it may not see is, to POST /contact-logs, an account that does not exist (400 on `account`).
Writes call feedback.services, like the pages do.

Who writes: a person logs a conversation as its author. An internal system (an API client with the write scope)
logs it on behalf of the account's owner, who becomes its author and a participant: every log has a person as
author, the one the customer talked to. Editing a log (its author only) and acting on issues (acknowledging,
handing off) are a person's acts: API clients get 403 there.

Every POST honours an `Idempotency-Key` header (kernel.api.idempotency). PATCH is optimistic, as in the
accounts API: send the version you edited (`version` in the body or `If-Match: "<version>"`; detail responses
carry it as `ETag`); a stale version is 412 and nothing is written, no version at all is 428. Acting on an issue
(acknowledging, handing off) takes a version too, optionally, as a plan's status change does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import VisibleAccountField
from accounts.models import Account, CustomerContact
from feedback import policies, selectors, services
from feedback.api import rows
from feedback.api.serializers import ContactLogSerializer, IssueSerializer
from feedback.filters import ContactLogFilter, IssueFilter
from feedback.forms import MAX_ISSUE_ROWS
from feedback.models import Channel, ContactLog, Issue, Severity, Topic
from kernel.api.idempotency import idempotent
from kernel.api.rows import JSONRenderer
from kernel.api.schema import (
    ID_PARAMETER,
    IDEMPOTENCY_RESPONSES,
    IF_MATCH_HEADER,
    error_response,
    etag_header,
)
from kernel.api.versioning import PreconditionRequired, service_errors, version_field, versioned_response
from kernel.api.versioning import expected_version as _expected_version
from organization.api.authentication import person as _person
from organization.api.authentication import require_person as _require_person
from organization.models import Department, User

ETAG_HEADER = etag_header("contact log")


STALE_RESPONSES = {
    412: error_response("The version you sent is stale (the log was changed since): re-read it and retry."),
    428: error_response('No version: send `version` in the body or an `If-Match: "<version>"` header.'),
}
ISSUE_ETAG_HEADER = etag_header("issue")
STALE_ISSUE_RESPONSE = {
    412: error_response("The version you sent is stale (the issue was changed since): re-read it and retry.")
}


class VisibleContactField(serializers.PrimaryKeyRelatedField[CustomerContact]):
    """A customer contact id, at an account the caller may see."""

    def get_queryset(self) -> QuerySet[CustomerContact]:
        return CustomerContact.objects.filter(account__in=Account.objects.visible_to(self.context["request"].user))


class DepartmentField(serializers.PrimaryKeyRelatedField[Department]):
    """A department id, checked as PrimaryKeyRelatedField checks it (the same errors), against every department
    read once per request (a handful of rows) instead of once per issue."""

    def to_internal_value(self, data: Any) -> Department:
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        departments: dict[int, Department] = self.context.setdefault("departments_by_id", {})
        if not departments:
            departments.update(Department.objects.in_bulk())
        if pk not in departments:
            self.fail("does_not_exist", pk_value=data)
        return departments[pk]


@extend_schema_serializer(component_name="ContactLogIssueCreate")
class ContactLogIssueInputSerializer(serializers.Serializer[Any]):
    """An issue the customer raised, in their own words, for the department that must act on it."""

    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    department = DepartmentField(queryset=Department.objects.all(), help_text="The id of the department that must act.")
    verbatim = serializers.CharField(help_text="The customer's own words, unabridged.")


def _logs(user: Any) -> QuerySet[ContactLog]:
    # The selector joins account and author and prefetches participants; the issues come in one more query.
    return selectors.contact_logs_for_user(user=user).prefetch_related(
        Prefetch("issues", queryset=Issue.objects.order_by("id"))
    )


def _visible_log(request: Request, pk: int) -> ContactLog:
    log = _logs(request.user).filter(pk=pk).first()
    if log is None:
        raise exceptions.NotFound()
    return log


def _log_response(log: ContactLog, *, created: bool = False) -> Response:
    location = reverse("api:contact-log", kwargs={"pk": log.pk}) if created else None
    return versioned_response(ContactLogSerializer(log).data, version=log.version, location=location)


def _lean_log_response(request: Request, pk: int) -> Response:
    """GET of one contact log the caller may see (404 otherwise), from lean rows."""
    body = rows.contact_log_body(selectors.contact_logs_for_user(user=request.user), pk=pk)
    if body is None:
        raise exceptions.NotFound()
    return versioned_response(body, version=body["version"])


def _lean_issue_response(request: Request, pk: int) -> Response:
    """GET of one issue the caller may see (404 otherwise), from lean rows."""
    body = rows.issue_body(selectors.issues_for_user(user=request.user), pk=pk)
    if body is None:
        raise exceptions.NotFound()
    return versioned_response(body, version=body["version"])


def _issue_response(issue: Issue) -> Response:
    return versioned_response(IssueSerializer(issue).data, version=issue.version)


def _visible_issue(request: Request, pk: int) -> Issue:
    issue = selectors.issues_for_user(user=request.user).filter(pk=pk).first()
    if issue is None:
        raise exceptions.NotFound()
    return issue


_CursorListApi = generics.ListAPIView  # forged cursors are a 404 in kernel.api.pagination


class ContactLogListApi(_CursorListApi[ContactLog]):
    """Contact logs of the accounts you may see, the latest conversation first, cursor-paginated.

    POST logs a conversation and the issues it raised in one call: each issue is routed to its department, whose
    members are notified; a bad field anywhere (`issues.1.verbatim`…) is a 400 and nothing is saved. A person is
    the author. An API client (write scope) logs on behalf of the account's owner, who becomes the author.
    """

    filterset_class = ContactLogFilter
    serializer_class = ContactLogSerializer  # the body's contract; feedback.api.rows writes it
    cursor_ordering = ("-occurred_at", "-id")
    renderer_classes = [JSONRenderer]

    @extend_schema_serializer(component_name="ContactLogCreate")
    class InputSerializer(serializers.Serializer[Any]):
        """A conversation with a customer and the issues it raised."""

        account = VisibleAccountField(queryset=Account.objects.all(), help_text="The id of an account you may see.")
        occurred_at = serializers.DateTimeField()
        channel = serializers.ChoiceField(choices=Channel.choices)
        topics = serializers.ListField(
            child=serializers.ChoiceField(choices=Topic.choices), required=False, max_length=len(Topic.choices)
        )
        summary = serializers.CharField(help_text="What the customer said, in their own words.")
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
        rating_comment = serializers.CharField(required=False, allow_blank=True)
        our_participants: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.filter(is_active=True),
            many=True,
            required=False,
            help_text="Ids of our people in the conversation besides the author.",
        )
        their_participants = VisibleContactField(
            queryset=CustomerContact.objects.all(),
            many=True,
            required=False,
            help_text="Ids of the account's contacts in the conversation.",
        )
        next_contact_on = serializers.DateField(required=False, allow_null=True)
        issues: serializers.ListSerializer[Any] = serializers.ListSerializer(
            child=ContactLogIssueInputSerializer(), required=False, max_length=MAX_ISSUE_ROWS
        )

    def get_queryset(self) -> QuerySet[ContactLog]:
        return _logs(self.request.user)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(rows.contact_log_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(rows.contact_log_rows(page or []))

    @extend_schema(
        request=InputSerializer,
        responses={201: ContactLogSerializer, **IDEMPOTENCY_RESPONSES},
        parameters=[ETAG_HEADER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        incoming = self.InputSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        account: Account = data["account"]
        log = services.log_contact(
            author=_person(request) or account.owner,
            now=timezone.now(),
            data=services.ContactLogInput(
                account=account,
                occurred_at=data["occurred_at"],
                channel=data["channel"],
                summary=data["summary"],
                topics=data.get("topics", []),
                rating=data.get("rating"),
                rating_comment=data.get("rating_comment", ""),
                next_contact_on=data.get("next_contact_on"),
                our_participants=data.get("our_participants", []),
                their_participants=data.get("their_participants", []),
                issues=[
                    services.IssueInput(
                        department=row["department"], verbatim=row["verbatim"], severity=row["severity"]
                    )
                    for row in data.get("issues", [])
                ],
            ),
        )
        body = rows.created_contact_log_body(
            log, our=[log.author, *data.get("our_participants", [])], theirs=data.get("their_participants", [])
        )
        location = reverse("api:contact-log", kwargs={"pk": log.pk})
        return versioned_response(body, version=log.version, location=location)


class ContactLogDetailApi(APIView):
    """One contact log you may see (404 otherwise). Its author may PATCH it for 24 hours, with the version edited."""

    renderer_classes = [JSONRenderer]

    @extend_schema_serializer(component_name="ContactLogUpdate")
    class InputSerializer(serializers.Serializer[Any]):
        """The fields to change, and the version you edited (here or as an If-Match header)."""

        occurred_at = serializers.DateTimeField(required=False)
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        topics = serializers.ListField(
            child=serializers.ChoiceField(choices=Topic.choices), required=False, max_length=len(Topic.choices)
        )
        summary = serializers.CharField(required=False)
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
        rating_comment = serializers.CharField(required=False, allow_blank=True)
        next_contact_on = serializers.DateField(required=False, allow_null=True)
        version = version_field()

    @extend_schema(responses=ContactLogSerializer, parameters=[ID_PARAMETER, ETAG_HEADER])
    def get(self, request: Request, pk: int) -> Response:
        return _lean_log_response(request, pk)

    @extend_schema(
        request=InputSerializer,
        responses={200: ContactLogSerializer, **STALE_RESPONSES},
        parameters=[ID_PARAMETER, IF_MATCH_HEADER, ETAG_HEADER],
    )
    def patch(self, request: Request, pk: int) -> Response:
        person = _require_person(request, "Only the author edits a contact log; API clients cannot.")
        log = _visible_log(request, pk)
        refusal = policies.contact_log_edit_refusal(person=person, log=log, now=timezone.now())
        if refusal:  # refused before the body is read, as the page does
            raise exceptions.PermissionDenied(refusal)
        incoming = self.InputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        expected = _expected_version(request, fields.pop("version", None))
        if expected is None:
            raise PreconditionRequired()
        with service_errors():
            services.edit_contact_log(log=log, by=person, now=timezone.now(), expected_version=expected, **fields)
        return _log_response(_visible_log(request, pk))


class IssueListApi(_CursorListApi[Issue]):
    """Issues at the accounts you may see, the latest raised first, cursor-paginated, with any pending hand-off.

    `department` is the department that owns an issue; a hand-off waiting for acknowledgement names the receiving
    department in `pending_handoff`. `tier` filters by the account's tier name: `strategic`, `key`, `core`,
    `maintain`.
    """

    filterset_class = IssueFilter
    serializer_class = IssueSerializer  # the body's contract; feedback.api.rows writes it
    cursor_ordering = ("-raised_at", "-id")
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[Issue]:
        return selectors.issues_for_user(user=self.request.user)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(rows.issue_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(rows.issue_rows(page or []))


class IssueDetailApi(APIView):
    """One issue you may see (404 otherwise)."""

    renderer_classes = [JSONRenderer]

    @extend_schema(responses=IssueSerializer, parameters=[ID_PARAMETER, ISSUE_ETAG_HEADER])
    def get(self, request: Request, pk: int) -> Response:
        return _lean_issue_response(request, pk)


class IssueAcknowledgeApi(APIView):
    """The owning department acknowledges a new issue, or the receiving department accepts a pending hand-off
    (ownership moves to it). A member of that department or an admin, signed in: API clients get 403. Repeating
    it changes nothing. Optionally send `If-Match: "<version>"`: if the issue changed since, 412 and nothing."""

    @extend_schema(
        request=None,
        responses={200: IssueSerializer, **STALE_ISSUE_RESPONSE, **IDEMPOTENCY_RESPONSES},
        parameters=[ID_PARAMETER, IF_MATCH_HEADER, ISSUE_ETAG_HEADER],
        operation_id="issues_acknowledge",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        person = _require_person(request, "Acknowledging an issue is a person's act; API clients cannot.")
        issue = _visible_issue(request, pk)
        with service_errors():
            services.acknowledge_issue(
                issue=issue, by=person, now=timezone.now(), expected_version=_expected_version(request, None)
            )
        return _issue_response(_visible_issue(request, pk))


class IssueHandoffApi(APIView):
    """The owning department hands an issue to another one, saying why. It keeps owning it (and it stays in its
    inbox) until the receiving department acknowledges it. Signed-in people only: API clients get 403. Optionally
    send the version you saw (`version` or `If-Match`): if the issue changed since, 412 and nothing is written."""

    @extend_schema_serializer(component_name="IssueHandoffCreate")
    class InputSerializer(serializers.Serializer[Any]):
        """Where the issue should go, and why; optionally the version you saw."""

        to_department: serializers.PrimaryKeyRelatedField[Department] = serializers.PrimaryKeyRelatedField(
            queryset=Department.objects.all(), help_text="The id of the department that can act."
        )
        note = serializers.CharField(help_text="Why, so the receiving department knows what to do.")
        version = version_field(optional=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: IssueSerializer, **STALE_ISSUE_RESPONSE, **IDEMPOTENCY_RESPONSES},
        parameters=[ID_PARAMETER, IF_MATCH_HEADER, ISSUE_ETAG_HEADER],
        operation_id="issues_handoff",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        person = _require_person(request, "Handing off an issue is a person's act; API clients cannot.")
        issue = _visible_issue(request, pk)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        expected = _expected_version(request, fields.pop("version", None))
        with service_errors():
            services.hand_off_issue(issue=issue, by=person, now=timezone.now(), expected_version=expected, **fields)
        return _issue_response(_visible_issue(request, pk))
