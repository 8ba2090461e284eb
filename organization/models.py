from __future__ import annotations

import hashlib
import hmac
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
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
