"""The action plan REST API: plans (with their issues and steps) and the escalations they and issues climbed.

Reads are scoped first (ActionPlan/Issue `visible_to`), so a plan of an account the caller may not see (a
confidential one, for an API client or someone off its team) is never listed and is a 404; to POST
/action-plans an account or issue the caller may not see is one that does not exist (400 on that field).
Writes call actionplans.services, like the pages do.

Who writes: a person creates a plan as its `created_by`. An internal system (an API client with the write scope)
creates it on behalf of the account's owner, who becomes `created_by`; from an issue (`{"from_issue": <id>}`),
that owner also owns the plan, as the person clicking would on the page. Editing a plan, moving its status and
acknowledging an escalation are a person's acts: API clients get 403 there.

Every POST honours an `Idempotency-Key` header (kernel.api.idempotency). PATCH is optimistic, as in the
accounts and feedback APIs: send the version you edited (`version` in the body or `If-Match: "<version>"`;
detail responses carry it as `ETag`); a stale version is 412 and nothing is written, no version at all is 428.
A status change takes a version too, optionally.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import VisibleAccountField
from accounts.models import Account
from actionplans import policies, selectors, services
from actionplans.api import rows
from actionplans.api.serializers import ActionPlanSerializer, ActionPlanStatusField, EscalationSerializer
from actionplans.filters import ActionPlanFilter, EscalationFilter
from actionplans.models import ActionPlan, Escalation, PlanStep
from feedback.models import Issue, IssueStatus
from kernel.api.idempotency import idempotent
from kernel.api.rows import JSONRenderer
from kernel.api.schema import (
    ID_PARAMETER,
    IDEMPOTENCY_RESPONSES,
    IF_MATCH_HEADER,
    MISSING_VERSION_RESPONSE,
    error_response,
    etag_header,
)
from kernel.api.versioning import PreconditionRequired, service_errors, version_field, versioned_response
from kernel.api.versioning import expected_version as _expected_version
from organization.api.authentication import person as _person
from organization.api.authentication import require_person as _require_person
from organization.models import Department, User

ETAG_HEADER = etag_header("plan")


STALE_RESPONSE = {
    412: error_response("The version you sent is stale (the plan was changed since): re-read it and retry.")
}


class VisibleIssueField(serializers.PrimaryKeyRelatedField[Issue]):
    """An issue id, at an account the caller may see."""

    def get_queryset(self) -> QuerySet[Issue]:
        return Issue.objects.visible_to(self.context["request"].user).select_related("account", "department")


@extend_schema_serializer(component_name="ActionPlanStepCreate")
class ActionPlanStepInputSerializer(serializers.Serializer[Any]):
    """A step of the new plan; steps keep the order they are sent in."""

    title = serializers.CharField(max_length=200)
    assignee: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, help_text="A user id."
    )
    due_on = serializers.DateField(required=False, allow_null=True)


def _plans(user: Any) -> QuerySet[ActionPlan]:
    # The selector scopes, joins account, owner and department and prefetches issues; the steps are one more query.
    return selectors.plans_for_user(user=user).prefetch_related(
        Prefetch("steps", queryset=PlanStep.objects.order_by("order", "id"))
    )


def _visible_plan(request: Request, pk: int) -> ActionPlan:
    plan = _plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise exceptions.NotFound()
    return plan


def _changeable_plan(request: Request, person: User, pk: int) -> ActionPlan:
    """A plan the person may see and change: refused before the body is read, so it reveals nothing to others."""
    plan = _visible_plan(request, pk)
    if not policies.can_change_plan(person=person, plan=plan):
        raise exceptions.PermissionDenied("Only the owner, the department lead, executives and admins change a plan.")
    return plan


def _lean_plan_response(request: Request, pk: int) -> Response:
    """GET of one plan the caller may see (404 otherwise), from lean rows."""
    body = rows.plan_body(selectors.plans_for_user(user=request.user), pk=pk)
    if body is None:
        raise exceptions.NotFound()
    return versioned_response(body, version=body["version"])


def _plan_response(plan: ActionPlan, *, created: bool = False) -> Response:
    location = reverse("api:action-plan", kwargs={"pk": plan.pk}) if created else None
    return versioned_response(ActionPlanSerializer(plan).data, version=plan.version, location=location)


def _escalations(user: Any) -> QuerySet[Escalation]:
    """Escalations of the plans and of the issues the user may see, with the people they reached."""
    plans = ActionPlan.objects.visible_to(user).values("pk")
    issues = Issue.objects.visible_to(user).values("pk")
    return Escalation.objects.filter(Q(plan__in=plans) | Q(issue__in=issues)).prefetch_related("notified")


def _visible_escalation(request: Request, pk: int) -> Escalation:
    escalation = _escalations(request.user).filter(pk=pk).first()
    if escalation is None:
        raise exceptions.NotFound()
    return escalation


_CursorListApi = generics.ListAPIView  # forged cursors are a 404 in kernel.api.pagination


@extend_schema_serializer(component_name="ActionPlanCreate")
class ActionPlanCreateInputSerializer(serializers.Serializer[Any]):
    """A new plan for an account you may see, optionally answering some of its issues (they move to planned)."""

    account = VisibleAccountField(queryset=Account.objects.all(), help_text="The id of an account you may see.")
    title = serializers.CharField(max_length=200)
    owner: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), help_text="The id of the person who owns the plan."
    )
    department: serializers.PrimaryKeyRelatedField[Department] = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), help_text="The id of the department that acts."
    )
    due_on = serializers.DateField(help_text="The date we set ourselves.")
    promise_on = serializers.DateField(
        required=False, allow_null=True, help_text="The date we tell the customer (not in the past)."
    )
    issues = VisibleIssueField(
        queryset=Issue.objects.all(), many=True, required=False, help_text="Ids of the account's issues it answers."
    )
    steps: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=ActionPlanStepInputSerializer(), required=False, max_length=50
    )
    complaint_template = serializers.BooleanField(
        default=False, help_text="Use the six complaint-handling steps instead of `steps`."
    )


@extend_schema_serializer(component_name="ActionPlanFromIssue")
class ActionPlanFromIssueInputSerializer(serializers.Serializer[Any]):
    """A plan made from an issue, as the page's button does: its words, due in a week, the complaint steps."""

    from_issue = VisibleIssueField(queryset=Issue.objects.all(), help_text="The id of an open issue you may see.")


class ActionPlanListApi(_CursorListApi[ActionPlan]):
    """Action plans of the accounts you may see, the earliest due first, cursor-paginated.

    `tier` filters by the account's tier name (`strategic`, `key`, `core`, `maintain`); `overdue=true` keeps the
    active plans past their due date.

    POST creates a plan; an account or issue you may not see is a 400 on that field, and a bad field anywhere is
    a 400 with nothing saved. A person is `created_by`; an API client (write scope) creates on behalf of the
    account's owner, who becomes `created_by`. Or POST `{"from_issue": <id>}`: the plan takes the issue's words,
    its department and the complaint steps, is due in a week, and is owned by you (for an API client, by the
    account's owner); a person must be in the issue's department or an executive.
    """

    filterset_class = ActionPlanFilter
    serializer_class = ActionPlanSerializer  # the body's contract; actionplans.api.rows writes it
    cursor_ordering = ("due_on", "id")
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[ActionPlan]:
        return _plans(self.request.user)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(rows.plan_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(rows.plan_rows(page or []))

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="ActionPlanCreateOrFromIssue",
            serializers=[ActionPlanCreateInputSerializer, ActionPlanFromIssueInputSerializer],
            resource_type_field_name=None,
        ),
        responses={201: ActionPlanSerializer, **IDEMPOTENCY_RESPONSES},
        parameters=[ETAG_HEADER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        if isinstance(request.data, dict) and "from_issue" in request.data:
            return self._create_from_issue(request)
        incoming = ActionPlanCreateInputSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        account: Account = data["account"]
        plan = services.create_plan(
            account=account,
            title=data["title"],
            owner=data["owner"],
            department=data["department"],
            due_on=data["due_on"],
            created_by=_person(request),
            now=timezone.now(),
            issues=data.get("issues", []),
            promise_on=data.get("promise_on"),
            steps=[
                services.StepInput(title=row["title"], assignee=row.get("assignee"), due_on=row.get("due_on"))
                for row in data.get("steps", [])
            ],
            complaint_template=data["complaint_template"],
        )
        return _plan_response(_visible_plan(request, plan.pk), created=True)

    def _create_from_issue(self, request: Request) -> Response:
        incoming = ActionPlanFromIssueInputSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        issue: Issue = incoming.validated_data["from_issue"]
        person = _person(request)
        if person is not None and not policies.can_plan_for_issue(person=person, issue=issue):
            raise exceptions.PermissionDenied(f"Only {issue.department.name} plans for its issues.")
        if issue.status in {IssueStatus.RESOLVED, IssueStatus.CLOSED}:
            raise exceptions.ValidationError({"from_issue": ["This issue is already resolved."]})
        existing = selectors.plan_for_issue(issue=issue)
        if existing is not None:  # one plan per issue, as on the page (and in the database)
            raise exceptions.ValidationError({"from_issue": [f"This issue already has a plan ({existing.pk})."]})
        plan = services.create_plan_from_issue(issue=issue, by=person, now=timezone.now())
        return _plan_response(_visible_plan(request, plan.pk), created=True)


class ActionPlanDetailApi(APIView):
    """One plan you may see (404 otherwise). Its owner, the department's lead, executives and admins may PATCH it,
    with the version edited; API clients get 403."""

    renderer_classes = [JSONRenderer]

    @extend_schema_serializer(component_name="ActionPlanUpdate")
    class InputSerializer(serializers.Serializer[Any]):
        """The fields to change, and the version you edited (here or as an If-Match header). A new due date is a
        new commitment: the escalation ladder starts again from the levels not yet reached."""

        title = serializers.CharField(max_length=200, required=False)
        owner: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.filter(is_active=True), required=False
        )
        department: serializers.PrimaryKeyRelatedField[Department] = serializers.PrimaryKeyRelatedField(
            queryset=Department.objects.all(), required=False
        )
        due_on = serializers.DateField(required=False)
        promise_on = serializers.DateField(required=False, allow_null=True)
        version = version_field()

    @extend_schema(responses=ActionPlanSerializer, parameters=[ID_PARAMETER, ETAG_HEADER])
    def get(self, request: Request, pk: int) -> Response:
        return _lean_plan_response(request, pk)

    @extend_schema(
        request=InputSerializer,
        responses={200: ActionPlanSerializer, **STALE_RESPONSE, **MISSING_VERSION_RESPONSE},
        parameters=[ID_PARAMETER, IF_MATCH_HEADER, ETAG_HEADER],
    )
    def patch(self, request: Request, pk: int) -> Response:
        person = _require_person(request, "Editing a plan is a person's act; API clients cannot.")
        plan = _changeable_plan(request, person, pk)
        incoming = self.InputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        expected = _expected_version(request, fields.pop("version", None))
        if expected is None:
            raise PreconditionRequired()
        # Only what changed, as the page does: the service treats any due date it is given as a new commitment.
        changes = {name: value for name, value in fields.items() if getattr(plan, name) != value}
        with service_errors():
            services.update_plan(plan=plan, by=person, now=timezone.now(), expected_version=expected, **changes)
        return _plan_response(_visible_plan(request, pk))


class ActionPlanStatusApi(APIView):
    """Move a plan along: waiting on the customer pauses its SLA clock; resolving needs a resolution and resolves
    its issues; confirming needs the customer's words. The owner, the department's lead, executives and admins,
    signed in: API clients get 403."""

    @extend_schema_serializer(component_name="ActionPlanStatusChange")
    class InputSerializer(serializers.Serializer[Any]):
        """The new status, what resolved it, what the customer said, and optionally the version you saw."""

        status = ActionPlanStatusField()
        resolution = serializers.CharField(required=False, allow_blank=True, help_text="Needed to resolve.")
        confirmation = serializers.CharField(
            required=False, allow_blank=True, help_text="The customer's words; needed to confirm."
        )
        version = version_field(optional=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: ActionPlanSerializer, **STALE_RESPONSE, **IDEMPOTENCY_RESPONSES},
        parameters=[ID_PARAMETER, IF_MATCH_HEADER, ETAG_HEADER],
        operation_id="action_plans_status",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        person = _require_person(request, "Changing a plan's status is a person's act; API clients cannot.")
        plan = _changeable_plan(request, person, pk)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with service_errors():
            services.change_status(
                plan=plan,
                status=data["status"],
                by=person,
                now=timezone.now(),
                resolution=data.get("resolution", ""),
                confirmation=data.get("confirmation", ""),
                expected_version=_expected_version(request, data.get("version")),
            )
        return _plan_response(_visible_plan(request, pk))


class EscalationListApi(_CursorListApi[Escalation]):
    """Escalations of the plans and issues you may see, the latest first, cursor-paginated. `open=true` keeps
    those nobody has acknowledged yet."""

    filterset_class = EscalationFilter
    serializer_class = EscalationSerializer
    cursor_ordering = ("-escalated_at", "-id")

    def get_queryset(self) -> QuerySet[Escalation]:
        return _escalations(self.request.user)


class EscalationAcknowledgeApi(APIView):
    """Someone it reached (or an executive) takes the escalation on: its clock stops and no further level fires
    for that plan. Signed-in people only: API clients get 403. Repeating it changes nothing."""

    @extend_schema(
        request=None,
        responses={200: EscalationSerializer, **IDEMPOTENCY_RESPONSES},
        parameters=[ID_PARAMETER],
        operation_id="escalations_acknowledge",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        person = _require_person(request, "Acknowledging an escalation is a person's act; API clients cannot.")
        escalation = _visible_escalation(request, pk)
        with service_errors():
            services.acknowledge_escalation(escalation=escalation, by=person, now=timezone.now())
        return Response(EscalationSerializer(_visible_escalation(request, pk)).data)
