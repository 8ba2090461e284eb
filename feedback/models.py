from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Account, CustomerContact, visible_through_account
from organization.models import Department, history_user


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    SITE_VISIT = "site_visit", "Site visit"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"


class Topic(models.TextChoices):
    BUSINESS_RELATIONSHIP = "business_relationship", "Business relationship"
    PRODUCT_PERFORMANCE = "product_performance", "Product performance"
    FIELD_SERVICE = "field_service", "Field service"
    DELIVERY = "delivery", "Delivery"
    QUALITY = "quality", "Quality"
    BILLING = "billing", "Billing"
    PRICING = "pricing", "Pricing"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class IssueStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    PLANNED = "planned", "Planned"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class ContactLogQuerySet(models.QuerySet["ContactLog"]):
    def visible_to(self, user: Any) -> ContactLogQuerySet:
        """Logs of accounts the user may see (confidential accounts stay with their people); never deleted ones."""
        return visible_through_account(self.filter(deleted_at__isnull=True), user)


class ContactLog(models.Model):
    """One one-on-one conversation with a customer, in the customer's own words."""

    account = models.ForeignKey(Account, models.PROTECT, related_name="contact_logs")
    occurred_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    our_participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="contact_logs", blank=True)
    their_participants = models.ManyToManyField(CustomerContact, related_name="contact_logs", blank=True)
    topics = models.JSONField(default=list, blank=True)
    summary = models.TextField(help_text="What the customer said, in their own words.")
    rating = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text='Their answer to "how are we doing?", 1 (badly) to 5 (very well).',
    )
    rating_comment = models.TextField(blank=True)
    next_contact_on = models.DateField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="authored_contact_logs")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    deleted_reason = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated_at", "version"])

    objects = ContactLogQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-occurred_at"], name="contactlog_account_time"),
            models.Index(fields=["author", "-occurred_at"], name="contactlog_author_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)), name="rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | ~Q(deleted_reason=""), name="deletion_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} with {self.account} on {self.occurred_at:%Y-%m-%d}"

    def topic_labels(self) -> list[str]:
        return [Topic(t).label for t in self.topics if t in Topic.values]


# An issue's escalation clock once nothing is left to escalate: far enough ahead never to come, near enough for
# every time zone's arithmetic.
ESCALATION_DONE = datetime(9000, 1, 1, tzinfo=UTC)


class IssueQuerySet(models.QuerySet["Issue"]):
    def visible_to(self, user: Any) -> IssueQuerySet:
        return visible_through_account(self, user)

    def open(self) -> IssueQuerySet:
        return self.exclude(status__in=[IssueStatus.RESOLVED, IssueStatus.CLOSED])


class Issue(models.Model):
    """A concern raised in a conversation, routed unfiltered to the department that must act.

    `department` owns the issue. A hand-off names another department, but ownership moves only when that
    department acknowledges it: nobody drops the customer in between.
    """

    contact_log = models.ForeignKey(ContactLog, models.PROTECT, related_name="issues", null=True, blank=True)
    account = models.ForeignKey(Account, models.PROTECT, related_name="issues")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    department = models.ForeignKey(Department, models.PROTECT, related_name="issues")
    verbatim = models.TextField(help_text="The customer's own words, unabridged.")
    status = models.CharField(max_length=20, choices=IssueStatus.choices, default=IssueStatus.NEW, db_index=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="raised_issues")
    raised_at = models.DateTimeField(db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # When the escalation sweep (actionplans) looks at this issue again while nobody has acknowledged it: NULL
    # for a new issue (the next sweep schedules it), ESCALATION_DONE once its ladder has nothing left.
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status", "-raised_at"], name="issue_inbox"),
            # The API's issue feed per department, newest first: a page is one index range, whatever the
            # department's share of all issues (docs/performance.md).
            models.Index(fields=["department", "-raised_at", "-id"], name="issue_department_time"),
            models.Index(fields=["account", "-raised_at"], name="issue_account_time"),
            # The priority dashboard's open issues by severity: an index-only count of the open ones (a sixth of
            # all issues), per account when the dashboard is filtered.
            models.Index(
                fields=["severity", "account"],
                condition=~Q(status__in=[IssueStatus.RESOLVED, IssueStatus.CLOSED]),
                name="issue_open_severity",
            ),
            # The escalation sweep each minute: the new issues whose clock has come, not every unacknowledged one.
            models.Index(
                fields=["next_escalation_at"], condition=Q(status=IssueStatus.NEW), name="issue_escalation_clock"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} issue for {self.department}: {self.verbatim[:60]}"


class IssueHandoff(models.Model):
    issue = models.ForeignKey(Issue, models.CASCADE, related_name="handoffs")
    from_department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    to_department = models.ForeignKey(Department, models.PROTECT, related_name="incoming_handoffs")
    note = models.TextField()
    handed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    handed_off_at = models.DateTimeField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-handed_off_at", "-id"]
        constraints = [
            # At most one hand-off of an issue waits for acknowledgement at a time.
            models.UniqueConstraint(
                fields=["issue"], condition=Q(accepted_at__isnull=True), name="one_pending_handoff_per_issue"
            ),
            models.CheckConstraint(condition=~Q(from_department=models.F("to_department")), name="handoff_elsewhere"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.from_department} → {self.to_department}"
