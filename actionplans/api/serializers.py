"""Action plan and escalation bodies shared by several endpoints; what only one endpoint uses is nested in its view."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.api.serializers import TIER_NAMES
from actionplans import selectors
from actionplans.models import ActionPlan, Escalation, PlanStatus, PlanStep, Target, promise_broken
from feedback.models import Issue
from organization.models import User


@extend_schema_field(serializers.ChoiceField(choices=PlanStatus.choices), component_name="ActionPlanStatus")
class ActionPlanStatusField(serializers.ChoiceField):
    """A plan's status. Its own schema component: accounts and issues have a `status` with other choices."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PlanStatus.choices, **kwargs)


@extend_schema_field(serializers.ChoiceField(choices=Target.choices), component_name="EscalationTarget")
class EscalationTargetField(serializers.ChoiceField):
    """Whom an escalation reached, as a seat (the owner's manager, the department lead…)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Target.choices, **kwargs)


@extend_schema_serializer(component_name="ActionPlanStep")
class ActionPlanStepSerializer(serializers.ModelSerializer[PlanStep]):
    """One step of a plan, in order; `done_at` is set once it is ticked."""

    assignee = serializers.IntegerField(source="assignee_id", read_only=True, allow_null=True)

    class Meta:
        model = PlanStep
        fields = ["id", "title", "assignee", "due_on", "done_at", "order"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ActionPlan")
class ActionPlanSerializer(serializers.ModelSerializer[ActionPlan]):
    """What we do because of a conversation, and the date we promised the customer.

    `overdue`: active and past `due_on`. `promise_broken`: past `promise_on` without being resolved by it, both
    dates in the business calendar's time zone (as the plan page and the promises-kept KPI count).
    """

    # Needs account joined and issues and steps prefetched (see the views): no query per row.

    account = serializers.IntegerField(source="account_id", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    tier = serializers.SerializerMethodField(help_text="The account's tier.")
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    department = serializers.IntegerField(source="department_id", read_only=True)
    status = ActionPlanStatusField(read_only=True)
    issues: serializers.PrimaryKeyRelatedField[Issue] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the issues the plan answers."
    )
    steps = ActionPlanStepSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    promise_broken = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "account",
            "account_name",
            "tier",
            "title",
            "owner",
            "department",
            "status",
            "due_on",
            "promise_on",
            "promised_at",
            "resolution",
            "resolved_at",
            "confirmed_at",
            "customer_confirmation",
            "issues",
            "steps",
            "overdue",
            "promise_broken",
            "next_escalation_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=list(TIER_NAMES.values())))
    def get_tier(self, plan: ActionPlan) -> str:
        return TIER_NAMES[plan.account.tier]

    def get_overdue(self, plan: ActionPlan) -> bool:
        return plan.is_overdue(timezone.localdate())

    def get_promise_broken(self, plan: ActionPlan) -> bool:
        if plan.promise_on is None:
            return False  # nothing promised: no calendar to read
        context = self.context  # shared by every row of a list: the calendar is read once per response
        if "calendar" not in context:
            context["calendar"] = selectors.business_calendar()
        return promise_broken(plan, context["calendar"], now=timezone.now())


@extend_schema_serializer(component_name="Escalation")
class EscalationSerializer(serializers.ModelSerializer[Escalation]):
    """A plan (overdue) or an issue (unacknowledged) climbed one level and reached these people."""

    # Needs notified prefetched (see the views).

    plan = serializers.IntegerField(source="plan_id", read_only=True, allow_null=True)
    issue = serializers.IntegerField(source="issue_id", read_only=True, allow_null=True)
    target = EscalationTargetField(read_only=True)
    notified: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the people it reached."
    )
    acknowledged_by = serializers.IntegerField(source="acknowledged_by_id", read_only=True, allow_null=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "plan",
            "issue",
            "level",
            "target",
            "notified",
            "escalated_at",
            "acknowledged_at",
            "acknowledged_by",
        ]
        read_only_fields = fields
