from __future__ import annotations

import hashlib
import hmac
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    DEPARTMENT_LEAD = "department_lead", "Department lead"
    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Admin"


class Department(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    lead = models.ForeignKey(
        "organization.User", models.SET_NULL, null=True, blank=True, related_name="departments_led"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="department_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person at our company. Logs in with an email address; never a customer (see accounts.Account)."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    department = models.ForeignKey(Department, models.SET_NULL, null=True, blank=True, related_name="members")
    manager = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text="Next step up when escalating.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(manager=models.F("pk")), name="user_not_own_manager"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_executive(self) -> bool:
        return self.role in {Role.EXECUTIVE, Role.ADMIN}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class ApiScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"


class ApiClient(models.Model):
    """An internal system (production scheduling, field service, billing…) calling the REST API with a token.

    The token is shown once when the client is created; only its SHA-256 digest is stored. Tokens are 256 random
    bits, so a fast digest is enough (no password stretching needed) and lookups go by the short public prefix.
    """

    TOKEN_PREFIX = "cty"  # noqa: S105 - a public marker, not a secret

    name = models.CharField(max_length=100, unique=True)
    department = models.ForeignKey(Department, models.PROTECT, related_name="api_clients")
    can_read = models.BooleanField(default=True)
    can_write = models.BooleanField(default=False)
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(default=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_use_audited_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When its token use was last written to the audit log."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scopes(self) -> list[str]:
        return [
            scope for scope, allowed in ((ApiScope.READ, self.can_read), (ApiScope.WRITE, self.can_write)) if allowed
        ]

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def token_matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token_hash, self.hash_token(token))


class Notification(models.Model):
    """Something a person should know (an issue routed to their department, an escalation…).

    The row is written first, in the transaction that caused it; email follows from a task that claims unsent rows
    with a conditional UPDATE. `dedupe_key` makes the same event notify the same person at most once.
    """

    user = models.ForeignKey(User, models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], name="notify_once_per_event")]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["emailed_at"], name="notification_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"


def history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> User | None:
    """Who django-simple-history records: a person; None when an internal system (API client) made the change."""
    explicit = getattr(instance, "_history_user", None)
    if isinstance(explicit, User):
        return explicit
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


class WebhookEvent(models.TextChoices):
    """What an internal system may subscribe to. Other apps emit these through organization.webhooks.services.emit()."""

    ISSUE_RAISED = "issue.raised", "An issue was raised"
    PLAN_CREATED = "plan.created", "An action plan was created"
    PLAN_ESCALATED = "plan.escalated", "An action plan was escalated"
    PLAN_RESOLVED = "plan.resolved", "An action plan was resolved"
    ACCOUNT_PRIORITY_CHANGED = "account.priority_changed", "An account's priority changed"
    SURVEY_RESPONDED = "survey.responded", "A customer contact answered a survey"
    SURVEY_DETRACTOR = "survey.detractor", "A survey answer was a detractor's (a low score or recommend 0-6)"
    REVIEW_SCHEDULED = "review.scheduled", "A joint account review was scheduled"
    REVIEW_COMPLETED = "review.completed", "A joint account review was completed"


class WebhookSubscription(models.Model):
    """An API client's request to be told about events, by a signed POST to `url`.

    The secret signs every delivery (HMAC-SHA256), so unlike API tokens it is stored in clear: signing needs the
    key itself, and a digest would not do. It is returned once, when the subscription is created; to rotate it,
    create a new subscription and delete the old one.
    """

    api_client = models.ForeignKey(ApiClient, models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    secret = models.CharField(max_length=100, editable=False)
    events = models.JSONField(default=list, help_text="The WebhookEvent values to deliver.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(url__startswith="https://") | models.Q(url__startswith="http://"),
                name="webhook_url_is_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.api_client}: {self.url}"

    def clean(self) -> None:
        if not isinstance(self.events, list) or not self.events:
            raise ValidationError({"events": "Name at least one event."})
        unknown = sorted({str(e) for e in self.events} - set(WebhookEvent.values))
        if unknown:
            raise ValidationError({"events": f"Unknown events: {', '.join(unknown)}."})


class WebhookDelivery(models.Model):
    """One event for one subscription: the outbox row, written in the transaction that caused the event.

    Every delivery of the same event shares `event_id`, which receivers use to ignore a repeat (delivery is at
    least once). `next_attempt_at` is when the next attempt is due; while an attempt is in flight it holds the
    claim's lease, so no other worker sends it too.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(WebhookSubscription, models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50, choices=WebhookEvent.choices)
    event_id = models.UUIDField()
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once_per_event"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "delivered", "failed"]), name="webhook_delivery_status"
            ),
        ]
        indexes = [
            # The re-sweep's query: pending rows by due time. Delivered and failed rows (nearly all) stay out.
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"


class AuditEvent(models.Model):
    """A security-relevant event: who (a person or an API client), what, where from. Written by organization.audit.

    Rows are only ever added: nothing in the application updates or deletes them (the admin shows them read-only).
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Login failed"
        LOCKOUT = "lockout", "Locked out"
        PERMISSION_DENIED = "permission_denied", "Permission denied"
        EXPORT = "export", "Export"
        API_TOKEN_USE = "api_token_use", "API token used"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    user = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="audit_events")
    api_client = models.ForeignKey(ApiClient, models.SET_NULL, null=True, blank=True, related_name="audit_events")
    path = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="audit_kind_recent"),
            models.Index(fields=["user", "-created_at"], name="audit_user_recent"),
        ]

    def __str__(self) -> str:
        who = self.user or self.api_client or self.detail.get("username", "someone")
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {who}"
