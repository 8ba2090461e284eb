"""A joint account review: the owner, colleagues from other departments and the customer's people discussing one
pack of figures, frozen when the review starts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account, CustomerContact, visible_through_account
from actionplans.models import ActionPlan
from organization.models import Department


class ReviewState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"


OPEN_STATES = (ReviewState.SCHEDULED, ReviewState.STARTED)


class AccountReviewQuerySet(models.QuerySet["AccountReview"]):
    def visible_to(self, user: Any) -> AccountReviewQuerySet:
        """As the account: a confidential account's reviews only for its owner, team, executives and admins."""
        return visible_through_account(self, user)

    def completed(self) -> AccountReviewQuerySet:
        return self.filter(state=ReviewState.COMPLETED)


class AccountReview(models.Model):
    account = models.ForeignKey(Account, models.CASCADE, related_name="reviews")
    scheduled_for = models.DateTimeField(help_text="When the meeting is.")
    state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.SCHEDULED)
    internal_attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="account_reviews", blank=True)
    customer_attendees = models.ManyToManyField(CustomerContact, related_name="account_reviews", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    since = models.DateTimeField(
        null=True, blank=True, help_text="The previous review's moment: the pack holds what happened after it."
    )
    pack = models.JSONField(default=dict, blank=True, help_text="The agenda's figures, frozen when the review starts.")
    # Minutes: who came, and the notes per agenda item (keys: AGENDA below).
    present_internal = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    present_customers = models.ManyToManyField(CustomerContact, related_name="+", blank=True)
    notes = models.JSONField(default=dict, blank=True)
    summary_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the one-page summary of decisions went to the customer's attendees."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        indexes = [models.Index(fields=["account", "state", "-completed_at"], name="review_account_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(state__in=["scheduled", "started"]), name="one_open_review_per_account"
            ),
            models.CheckConstraint(
                condition=Q(state="scheduled") | Q(started_at__isnull=False), name="review_started_has_started_at"
            ),
            models.CheckConstraint(
                condition=~Q(state="completed") | Q(completed_at__isnull=False),
                name="review_completed_has_completed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.account} on {self.scheduled_for:%Y-%m-%d}"


# The agenda's items, in the pack's order: minutes keep a note per item.
AGENDA = [
    ("decisions", "Last review's decisions"),
    ("conversations", "Conversations and ratings"),
    ("issues", "Issues by department"),
    ("plans", "Plans and promises"),
    ("escalations", "Escalations"),
    ("health", "Health and surveys"),
]


class ReviewDecisionQuerySet(models.QuerySet["ReviewDecision"]):
    def visible_to(self, user: Any) -> ReviewDecisionQuerySet:
        return visible_through_account(self, user, via="review__account")


class ReviewDecision(models.Model):
    """What the review decided: who does it, which department, by when we promise it. "Make a plan" turns it into
    an action plan once (the one-to-one `plan` is the idempotency: a second click finds it)."""

    review = models.ForeignKey(AccountReview, models.CASCADE, related_name="decisions")
    text = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    promise_on = models.DateField()
    plan = models.OneToOneField(ActionPlan, models.SET_NULL, null=True, blank=True, related_name="review_decision")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return self.text
