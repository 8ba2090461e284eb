from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Account, Tier, visible_through_account
from feedback.models import Issue, Severity
from organization.models import Department, history_user


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING = "waiting_on_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CONFIRMED = "confirmed", "Confirmed by customer"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = [PlanStatus.OPEN, PlanStatus.IN_PROGRESS, PlanStatus.WAITING]
DONE_STATUSES = [PlanStatus.RESOLVED, PlanStatus.CONFIRMED]

COMPLAINT_TEMPLATE = ["Listen", "Acknowledge", "Probe", "Offer solutions", "Confirm", "Express thanks"]


class ActionPlanQuerySet(models.QuerySet["ActionPlan"]):
    def visible_to(self, user: Any) -> ActionPlanQuerySet:
        user_id = getattr(user, "pk", None)
        return visible_through_account(self, user, also=Q(owner_id=user_id) if user_id is not None else None)

    def active(self) -> ActionPlanQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


class ActionPlan(models.Model):
    """What we do because of a conversation, and the date we promised the customer."""

    account = models.ForeignKey(Account, models.PROTECT, related_name="plans")
    issues = models.ManyToManyField(Issue, related_name="plans", blank=True)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="owned_plans")
    department = models.ForeignKey(Department, models.PROTECT, related_name="plans")
    status = models.CharField(max_length=25, choices=PlanStatus.choices, default=PlanStatus.OPEN, db_index=True)
    due_on = models.DateField()
    promise_on = models.DateField(null=True, blank=True, help_text="The date we told the customer.")
    promised_at = models.DateTimeField(null=True, blank=True, help_text="When we told them.")
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    customer_confirmation = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The SLA clock: paused while waiting on the customer; `next_escalation_at` is when the sweep looks again.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated_at", "version", "next_escalation_at"])

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="plan_owner_status_due"),
            models.Index(fields=["department", "status", "due_on"], name="plan_department_status_due"),
            models.Index(fields=["account", "-created_at"], name="plan_account_time"),
            # The priority dashboard's overdue plans: an index-only count of the active plans due before today.
            models.Index(
                fields=["due_on", "account"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="plan_active_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=DONE_STATUSES) | ~Q(resolution=""), name="resolved_plan_has_resolution"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_active and self.due_on < today


class PlanStep(models.Model):
    plan = models.ForeignKey(ActionPlan, models.CASCADE, related_name="steps")
    title = models.CharField(max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="plan_steps"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class BusinessCalendar(models.Model):
    """Working days and hours for escalation delays: a delay of 24 h means 24 business hours."""

    name = models.CharField(max_length=50, unique=True, default="default")
    timezone = models.CharField(max_length=50, default="Europe/Amsterdam")
    workdays = models.JSONField(default=list, help_text="ISO weekdays that are working days (1 = Monday).")
    start_hour = models.PositiveSmallIntegerField(default=8, validators=[MaxValueValidator(23)])
    end_hour = models.PositiveSmallIntegerField(default=18, validators=[MinValueValidator(1), MaxValueValidator(24)])
    holidays = models.JSONField(default=list, blank=True, help_text="Dates (YYYY-MM-DD) that are not working days.")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(start_hour__lt=models.F("end_hour")), name="day_has_hours")]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_workday(self, day: date) -> bool:
        return day.isoweekday() in (self.workdays or [1, 2, 3, 4, 5]) and day.isoformat() not in set(self.holidays)

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, time(self.start_hour), self.zone),
            datetime.combine(day, time(0), self.zone) + timedelta(hours=self.end_hour),
        )

    def add_workdays(self, day: date, days: int) -> date:
        """The working day `days` working days after `day` (weekends and holidays skipped); `day` itself for 0."""
        for _ in range(3660):  # ten years of days: a bound, never reached by sane counts
            if days <= 0:
                return day
            day += timedelta(days=1)
            if self.is_workday(day):
                days -= 1
        raise ValueError("No working days in the calendar")

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Working seconds between two instants."""
        if end <= start:
            return 0.0
        total = 0.0
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            if self.is_workday(day):
                open_at, close_at = self._window(day)
                lo, hi = max(start, open_at), min(end, close_at)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant `seconds` working seconds after `start` (skipping nights, weekends and holidays)."""
        remaining = seconds
        day = start.astimezone(self.zone).date()
        for _ in range(3660):  # ten years of days: a bound, never reached by sane delays
            if self.is_workday(day):
                open_at, close_at = self._window(day)
                lo = max(start, open_at)
                if close_at > lo:
                    available = (close_at - lo).total_seconds()
                    if remaining <= available:
                        return lo + timedelta(seconds=remaining)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("No working time in the calendar")


def kept_promise(*, promise_on: date | None, resolved_at: datetime | None, zone: tzinfo) -> bool:
    """The one rule for a promise kept: resolved on or before the promised date, the moment of resolution read
    in the business calendar's time zone (00:30 in Amsterdam on the 10th is 23:30 UTC on the 9th: a promise for
    the 9th is broken). The plan page, the API and every KPI decide with it, through promise_kept or, for a
    set-based read, with the zone read alongside its rows (actionplans.selectors.calendar_timezone)."""
    return promise_on is not None and resolved_at is not None and resolved_at.astimezone(zone).date() <= promise_on


def promise_kept(plan: ActionPlan, cal: BusinessCalendar) -> bool:
    """Whether the plan was resolved on or before the date we promised, in the calendar's local time."""
    return kept_promise(promise_on=plan.promise_on, resolved_at=plan.resolved_at, zone=cal.zone)


def promise_broken(plan: ActionPlan, cal: BusinessCalendar, *, now: datetime) -> bool:
    """A promise not kept and past saving: resolved after its date, or still active once its date has gone by
    (both dates local to the calendar). No promise, or one still ahead, is not broken."""
    if plan.promise_on is None or promise_kept(plan, cal):
        return False
    return plan.resolved_at is not None or (plan.is_active and plan.promise_on < now.astimezone(cal.zone).date())


class Trigger(models.TextChoices):
    PLAN_OVERDUE = "plan_overdue", "Plan past its due date"
    ISSUE_UNACKNOWLEDGED = "issue_unacknowledged", "Issue not acknowledged"


class Target(models.TextChoices):
    OWNER_MANAGER = "owner_manager", "The owner's manager"
    DEPARTMENT_LEAD = "department_lead", "The department lead"
    EXECUTIVE_SPONSOR = "executive_sponsor", "The account's executive sponsor"
    ANY_EXECUTIVE = "any_executive", "Every executive"


class EscalationAction(models.TextChoices):
    NOTIFY = "notify", "Notify"
    NOTIFY_REASSIGN = "notify_reassign", "Notify and reassign"


class EscalationPolicy(models.Model):
    """One level of escalation for an account tier × issue severity: after how many business hours, to whom."""

    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    trigger = models.CharField(max_length=30, choices=Trigger.choices, default=Trigger.PLAN_OVERDUE)
    level = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(9)])
    delay_hours = models.PositiveIntegerField(help_text="Business hours after the due date (or after raising).")
    target = models.CharField(max_length=30, choices=Target.choices)
    action = models.CharField(max_length=20, choices=EscalationAction.choices, default=EscalationAction.NOTIFY)

    class Meta:
        ordering = ["trigger", "tier", "severity", "level"]
        verbose_name_plural = "escalation policies"
        constraints = [
            models.UniqueConstraint(fields=["tier", "severity", "trigger", "level"], name="one_policy_per_level"),
        ]

    def __str__(self) -> str:
        tier, severity = self.get_tier_display(), self.get_severity_display()
        return f"{tier} × {severity} L{self.level}: {self.delay_hours} h → {self.target}"


class Escalation(models.Model):
    """A plan or issue climbed one level. The unique constraints make each level happen exactly once."""

    plan = models.ForeignKey(ActionPlan, models.CASCADE, null=True, blank=True, related_name="escalations")
    issue = models.ForeignKey(Issue, models.CASCADE, null=True, blank=True, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    policy = models.ForeignKey(EscalationPolicy, models.SET_NULL, null=True, blank=True, related_name="+")
    target = models.CharField(max_length=30, choices=Target.choices)
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="escalations_received", blank=True)
    escalated_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-escalated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], condition=Q(plan__isnull=False), name="plan_level_once"),
            models.UniqueConstraint(
                fields=["issue", "level"], condition=Q(issue__isnull=False), name="issue_level_once"
            ),
            models.CheckConstraint(
                condition=Q(plan__isnull=False, issue__isnull=True) | Q(plan__isnull=True, issue__isnull=False),
                name="escalates_a_plan_or_an_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"L{self.level} {'plan ' + str(self.plan_id) if self.plan_id else 'issue ' + str(self.issue_id)}"
