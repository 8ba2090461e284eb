"""Contact log and issue bodies shared by several endpoints; what only one endpoint uses is nested in its view."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.models import CustomerContact
from feedback.models import Channel, ContactLog, Issue, IssueHandoff, IssueStatus, Topic
from organization.models import User


@extend_schema_field(serializers.ChoiceField(choices=IssueStatus.choices), component_name="IssueStatus")
class IssueStatusField(serializers.ChoiceField):
    """An issue's status. Its own schema component: accounts have a `status` with other choices, and two choice
    sets under one property name would get generated enum names."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=IssueStatus.choices, **kwargs)


@extend_schema_serializer(component_name="ContactLogIssue")
class ContactLogIssueSerializer(serializers.ModelSerializer[Issue]):
    """An issue raised in the conversation, as routed: the department that owns it now, and its status."""

    department = serializers.IntegerField(source="department_id", read_only=True)
    status = IssueStatusField(read_only=True)

    class Meta:
        model = Issue
        fields = ["id", "severity", "department", "verbatim", "status"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ContactLog")
class ContactLogSerializer(serializers.ModelSerializer[ContactLog]):
    """A one-on-one conversation with a customer, in the customer's own words, with the issues it raised."""

    # Needs account and author joined, and participants and issues prefetched (see the views): no query per row.

    account = serializers.IntegerField(source="account_id", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices), read_only=True)
    author = serializers.IntegerField(source="author_id", read_only=True)
    author_name = serializers.CharField(source="author.full_name", read_only=True)
    our_participants: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of our people in the conversation (the author among them)."
    )
    their_participants: serializers.PrimaryKeyRelatedField[CustomerContact] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the customer's contacts in the conversation."
    )
    issues = ContactLogIssueSerializer(many=True, read_only=True)

    class Meta:
        model = ContactLog
        fields = [
            "id",
            "account",
            "account_name",
            "occurred_at",
            "channel",
            "topics",
            "summary",
            "rating",
            "rating_comment",
            "next_contact_on",
            "author",
            "author_name",
            "our_participants",
            "their_participants",
            "issues",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="IssueHandoff")
class IssueHandoffSerializer(serializers.ModelSerializer[IssueHandoff]):
    """A hand-off waiting for the receiving department to acknowledge it; until then the sender owns the issue."""

    from_department = serializers.IntegerField(source="from_department_id", read_only=True)
    from_department_name = serializers.CharField(source="from_department.name", read_only=True)
    to_department = serializers.IntegerField(source="to_department_id", read_only=True)
    to_department_name = serializers.CharField(source="to_department.name", read_only=True)
    handed_off_by = serializers.IntegerField(source="handed_off_by_id", read_only=True)

    class Meta:
        model = IssueHandoff
        fields = [
            "id",
            "from_department",
            "from_department_name",
            "to_department",
            "to_department_name",
            "note",
            "handed_off_by",
            "handed_off_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="Issue")
class IssueSerializer(serializers.ModelSerializer[Issue]):
    """A concern a customer raised, routed unfiltered to the department that must act on it."""

    # Needs feedback.selectors.issues_for_user: account, department and people joined, pending hand-offs prefetched.

    contact_log = serializers.IntegerField(source="contact_log_id", read_only=True, allow_null=True)
    account = serializers.IntegerField(source="account_id", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    department = serializers.IntegerField(
        source="department_id", read_only=True, help_text="The department that owns the issue."
    )
    department_name = serializers.CharField(source="department.name", read_only=True)
    status = IssueStatusField(read_only=True)
    raised_by = serializers.IntegerField(source="raised_by_id", read_only=True)
    raised_by_name = serializers.CharField(source="raised_by.full_name", read_only=True)
    acknowledged_by = serializers.IntegerField(source="acknowledged_by_id", read_only=True, allow_null=True)
    pending_handoff = serializers.SerializerMethodField(
        help_text="The hand-off waiting for the receiving department's acknowledgement, if any."
    )

    class Meta:
        model = Issue
        fields = [
            "id",
            "contact_log",
            "account",
            "account_name",
            "severity",
            "department",
            "department_name",
            "verbatim",
            "status",
            "raised_by",
            "raised_by_name",
            "raised_at",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_at",
            "pending_handoff",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(IssueHandoffSerializer(allow_null=True))
    def get_pending_handoff(self, issue: Issue) -> dict[str, Any] | None:
        pending: list[IssueHandoff] | None = getattr(issue, "pending_handoffs", None)
        if pending is None:  # not read through issues_for_user: one query
            pending = list(
                issue.handoffs.filter(accepted_at__isnull=True).select_related("from_department", "to_department")
            )
        return IssueHandoffSerializer(pending[0]).data if pending else None
