from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from organization.models import history_user

if TYPE_CHECKING:
    pass


class Tier(models.IntegerChoices):
    STRATEGIC = 1, "Strategic"
    KEY = 2, "Key"
    CORE = 3, "Core"
    MAINTAIN = 4, "Maintain"


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    AT_RISK = "at_risk", "At risk"
    LOST = "lost", "Lost"


class BuyingRole(models.TextChoices):
    ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
    TECHNICAL = "technical", "Technical"
    USER = "user", "User"
    COACH = "coach", "Coach"


class Segment(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="segment_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class TierRule(models.Model):
    """Per tier: the minimum weighted score that earns it, and how often such an account must be contacted."""

    tier = models.PositiveSmallIntegerField(choices=Tier.choices, primary_key=True)
    min_score = models.DecimalField(
        max_digits=4, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    cadence_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(730)])
    review_every_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="How often such an account is due a joint cross-functional review; empty: never.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tier"]

    def __str__(self) -> str:
        return f"{self.get_tier_display()}: score ≥ {self.min_score}, every {self.cadence_days} days"


# Joint account reviews by default: Strategic quarterly, Key half-yearly, the others none (data: TierRule).
DEFAULT_REVIEW_MONTHS = {Tier.STRATEGIC: 3, Tier.KEY: 6}

DEFAULT_TIER_RULES = {
    Tier.STRATEGIC: (Decimal("8.00"), 14),
    Tier.KEY: (Decimal("6.50"), 30),
    Tier.CORE: (Decimal("4.00"), 90),
    Tier.MAINTAIN: (Decimal("0.00"), 180),
}


class PriorityCriterion(models.Model):
    """What makes a customer strategically important (revenue, growth potential…), with an executive-set weight."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "priority criteria"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="criterion_name_ci_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


_Q = TypeVar("_Q", bound=models.QuerySet[Any])


def visible_through_account(queryset: _Q, user: Any, *, via: str = "account", also: Q | None = None) -> _Q:
    """The confidentiality rule, in one place, for accounts and everything that hangs off an account.

    A confidential account (and its logs, issues, plans…) is visible only to its owner, its team, executives and
    admins; everything else to everyone. API clients and anonymous callers (no pk) see no confidential data.
    `via` is the path to the account ("" for accounts themselves); `also` grants more (e.g. a plan's owner).
    """
    if getattr(user, "is_executive", False) or getattr(user, "is_superuser", False):
        return queryset
    prefix = f"{via}__" if via else ""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return queryset.filter(**{f"{prefix}is_confidential": False})
    on_team = AccountTeamMember.objects.filter(account=OuterRef(f"{via}_id" if via else "pk"), user_id=user_id)
    rule = Q(**{f"{prefix}is_confidential": False}) | Q(**{f"{prefix}owner_id": user_id}) | Exists(on_team)
    return queryset.filter(rule | also if also is not None else rule)


class AccountQuerySet(models.QuerySet["Account"]):
    def visible_to(self, user: Any) -> AccountQuerySet:
        """Confidential accounts only for their owner, team, executives and admins; everything else for everyone."""
        return visible_through_account(self, user, via="")

    def overdue_for_contact(self, today: date) -> AccountQuerySet:
        return self.filter(next_contact_due__lt=today)


class Account(models.Model):
    """A customer company, ranked by strategic priority. Never a login account (see organization.User)."""

    name = models.CharField(max_length=200)
    external_id = models.CharField(
        max_length=100, unique=True, null=True, blank=True, help_text="The id other systems know this customer by."
    )
    segment = models.ForeignKey(Segment, models.PROTECT, related_name="accounts")
    industry = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="owned_accounts")
    executive_sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="sponsored_accounts"
    )
    is_confidential = models.BooleanField(
        default=False, help_text="Visible only to the owner, the account team, executives and admins."
    )
    needs = models.JSONField(default=list, blank=True, help_text="Problems the customer needs solved.")
    wants = models.JSONField(default=list, blank=True, help_text="What makes the customer feel good about us.")

    # Strategic priority, kept by accounts.services.recompute_priorities (set-based), indexed for rank order.
    score = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    rank = models.PositiveIntegerField(default=0, db_index=True)
    computed_tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.MAINTAIN)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.MAINTAIN, db_index=True)
    tier_override = models.PositiveSmallIntegerField(choices=Tier.choices, null=True, blank=True)
    tier_override_reason = models.CharField(max_length=500, blank=True)
    tier_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tier_override_at = models.DateTimeField(null=True, blank=True)
    tier_override_expires_on = models.DateField(null=True, blank=True)

    # Contact cadence: the feedback app moves last_contact_at through accounts.services.record_contact.
    last_contact_at = models.DateTimeField(null=True, blank=True)
    next_contact_due = models.DateField(null=True, blank=True, db_index=True)
    # The next-contact date the person chose in the last conversation: it wins over the tier's cadence, also when
    # the priorities are recomputed (None: the cadence, counted from last_contact_at).
    next_contact_planned_on = models.DateField(null=True, blank=True)

    # Account health 0–100 from weighted signals, recomputed nightly by dashboards.services.recompute_health (which
    # writes set-based, so these never appear in the edit history).
    health = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    health_signals = models.JSONField(default=list, blank=True, help_text="Each signal's points out of its weight.")
    health_at_risk = models.BooleanField(
        default=False, help_text="Satisfied but at risk: good ratings, but contact is falling or promises broke."
    )
    health_updated_at = models.DateTimeField(null=True, blank=True)

    version = models.PositiveIntegerField(default=1, help_text="Bumped by every update: stale writes are refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    history = HistoricalRecords(
        get_user=history_user,
        excluded_fields=[
            "score",
            "rank",
            "computed_tier",
            "updated_at",
            "version",
            "last_contact_at",
            "next_contact_planned_on",
            "health",
            "health_signals",
            "health_at_risk",
            "health_updated_at",
        ],
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "id"]
        indexes = [
            models.Index(fields=["tier", "rank"], name="account_tier_rank"),
            models.Index(fields=["owner", "rank"], name="account_owner_rank"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier_override__isnull=True) | ~Q(tier_override_reason=""),
                name="account_tier_override_needs_reason",
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=10), name="account_score_0_to_10"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_overdue(self, today: date) -> bool:
        return self.next_contact_due is not None and self.next_contact_due < today

    @property
    def health_band(self) -> str | None:
        """green (70–100), yellow (40–69) or red (0–39); None before the first nightly run."""
        return health_band(self.health)


def health_band(score: int | None) -> str | None:
    if score is None:
        return None
    return "green" if score >= 70 else "yellow" if score >= 40 else "red"


class AccountHealthMonth(models.Model):
    """An account's health as last computed in a month: twelve rows a year draw its trend."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="health_months")
    month = models.DateField(help_text="The first day of the month.")
    health = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["account", "month"]
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="health_month_once")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}: {self.health}"


class AccountScore(models.Model):
    """How an account scores on one criterion, 0–10."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(PriorityCriterion, models.CASCADE, related_name="scores")
    value = models.DecimalField(
        max_digits=4, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=10), name="score_0_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class TeamRole(models.TextChoices):
    """A member's part on the account team. "service" is the stored value of field service (kept from before)."""

    RND = "rnd", "R&D"
    ENGINEERING = "engineering", "Engineering"
    QUALITY = "quality", "Quality"
    SERVICE = "service", "Field service"
    BILLING = "billing", "Billing"
    SALES = "sales", "Sales"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"


class AccountTeamMember(models.Model):
    """Someone from any department on an account's team: they open the account (confidential ones included) and,
    with can_edit, change it and its team. Changed only through accounts.services (add/change/remove)."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="account_memberships")
    role = models.CharField(max_length=20, choices=TeamRole.choices, default=TeamRole.SALES)
    can_edit = models.BooleanField(default=False)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["account", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="one_membership_per_user"),
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="team_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) on {self.account}"


class CustomerContact(models.Model):
    """A person at the customer: their buying-influence role, their needs and their wants, recorded apart."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    buying_role = models.CharField(max_length=20, choices=BuyingRole.choices, default=BuyingRole.USER)
    influence = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 (low) to 5 (decisive)."
    )
    needs = models.JSONField(default=list, blank=True)
    wants = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-influence", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(influence__gte=1) & Q(influence__lte=5), name="influence_1_to_5"),
        ]

    def __str__(self) -> str:
        return self.name


class PriorityChange(models.Model):
    """A domain event: a score, tier, rank band or owner changed. Written by services, set-based on recompute."""

    class Kind(models.TextChoices):
        SCORE = "score", "Score"
        TIER = "tier", "Tier"
        RANK_BAND = "rank_band", "Rank band"
        OWNER = "owner", "Owner"
        OVERRIDE = "override", "Tier override"

    account = models.ForeignKey(Account, models.CASCADE, related_name="priority_changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["account", "-changed_at"], name="priority_change_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind}: {self.before} → {self.after}"


class AccountImport(models.Model):
    """One CSV upload of accounts or contacts: checked by a dry run, then imported all or nothing.

    The uploaded text is kept here between the dry run and the confirmation (never round-tripped through the
    browser) and cleared once the import has finished; the error report stays.
    """

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", "Accounts"
        CONTACTS = "contacts", "Contacts"

    class Status(models.TextChoices):
        INVALID = "invalid", "Has errors"
        READY = "ready", "Ready to import"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    file_name = models.CharField(max_length=255, blank=True)
    content = models.TextField(blank=True, help_text="The uploaded CSV, kept until the import has finished.")
    row_count = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0, help_text="Progress of a running import's check.")
    imported_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first errors: row, column and message.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="account_imports")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_rows__lte=models.F("row_count"))
                & Q(imported_rows__lte=models.F("row_count"))
                & Q(invalid_rows__lte=models.F("row_count")),
                name="account_import_progress_within_rows",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.INVALID, self.Status.DONE, self.Status.FAILED}
