"""Surveys as data: what we ask, whom we asked, and what they answered.

Model note (for everyone building on these rows):

- `SurveyTemplate` (annual | pulse) names a survey and holds the company's own wording (intro, thank-you). Its
  questions live in numbered `SurveyVersion`s: editing the questions makes a new version, and a campaign points
  at the version it sent, so old answers keep the questions they answered. The two seeded templates have the
  slugs `annual-perception` and `pulse` (migration 0002).
- `SurveyQuestion.kind` says how it is answered: `score` (1–5 for one `dimension`, optional comment), `recommend`
  (0–10), `choose_again` and `yes_no` (1 yes / 0 no, stored in `score`), `needs` / `wants` / `text` (free text,
  verbatim). `dimension` is a `feedback.models.Topic` value (blank for questions about no dimension).
- `SurveyCampaign` is one sending of one version to an audience (tiers, segment ids, owner: recorded as chosen).
  A pulse campaign follows one `plan` and waits until `send_after`.
- `SurveyInvitation` is one contact's private link and the email outbox row: a send claims it with a conditional
  UPDATE (sent_at NULL → now), so a retry or a second send never mails anyone twice. `nonce` is part of the
  signed token; rotating it (revoke) kills every link sent before.
- `SurveyResponse` (one per invitation) is partial until `submitted_at`; `recommend` (0–10) and `choose_again`
  are copied from its answers on submit, for KPIs. `SurveyAnswer` holds one answer per question, with the
  question's `dimension` copied for per-dimension reads, and the `issue` it raised (at most one, unique).
- `SurveyOptOut`: a contact who asked for no more surveys; every campaign skips them.
- `DimensionOwner`: which department owns a dimension (detractor issues and proposed plans go there); the
  selector falls back to a default by department slug (surveys.selectors.department_for_dimension).
- `DeclineProposal`: a dimension that declined between two campaigns for one account, with the suggested plan
  (owner, department, promise date) that the owner accepts (→ `plan`) or dismisses with a reason.

Confidential accounts: every QuerySet here has `visible_to(user)`, the accounts rule through the row's account
(accounts.models.visible_through_account): a confidential account's answers are seen by whoever sees it, no one else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Account, CustomerContact, Tier, visible_through_account
from actionplans.models import ActionPlan
from feedback.models import Issue, Topic
from organization.models import Department

MAX_PERCEPTION_QUESTIONS = 12  # the essays call long surveys tedious: a perception survey asks at most this many
DIMENSIONS = [value for value in Topic.values if value != Topic.OTHER]


class SurveyKind(models.TextChoices):
    ANNUAL = "annual", "Annual perception survey"
    PULSE = "pulse", "Pulse after a resolved plan"


class QuestionKind(models.TextChoices):
    SCORE = "score", "Satisfaction score (1–5)"
    RECOMMEND = "recommend", "How likely to recommend us (0–10)"
    CHOOSE_AGAIN = "choose_again", "Would you choose us again (yes/no)"
    NEEDS = "needs", "Needs (free text)"
    WANTS = "wants", "Wants (free text)"
    YES_NO = "yes_no", "Yes or no"
    TEXT = "text", "Free text"


SCORED_KINDS = {QuestionKind.SCORE, QuestionKind.RECOMMEND, QuestionKind.CHOOSE_AGAIN, QuestionKind.YES_NO}
TEXT_KINDS = {QuestionKind.NEEDS, QuestionKind.WANTS, QuestionKind.TEXT}
SCORE_RANGE: dict[str, tuple[int, int]] = {
    QuestionKind.SCORE: (1, 5),
    QuestionKind.RECOMMEND: (0, 10),
    QuestionKind.CHOOSE_AGAIN: (0, 1),
    QuestionKind.YES_NO: (0, 1),
}


class SurveyTemplate(models.Model):
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    intro = models.TextField(blank=True, help_text="Our own words at the top of the survey page.")
    thank_you = models.TextField(blank=True, help_text="Our own words once the survey is submitted.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class SurveyVersion(models.Model):
    template = models.ForeignKey(SurveyTemplate, models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="survey_version_once")]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class SurveyQuestion(models.Model):
    version = models.ForeignKey(SurveyVersion, models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    dimension = models.CharField(max_length=30, choices=Topic.choices, blank=True)
    wording = models.CharField(max_length=500)
    allows_comment = models.BooleanField(default=False)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="survey_question_position_once"),
            models.CheckConstraint(
                condition=~Q(kind=QuestionKind.SCORE) | ~Q(dimension=""), name="survey_score_has_dimension"
            ),
        ]

    def __str__(self) -> str:
        return self.wording


class SurveyCampaignQuerySet(models.QuerySet["SurveyCampaign"]):
    def visible_to(self, user: Any) -> SurveyCampaignQuerySet:
        """Campaigns are seen by everyone signed in; which recipients and answers show is decided per account."""
        return self


class SurveyCampaign(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CLOSED = "closed", "Closed"

    version = models.ForeignKey(SurveyVersion, models.PROTECT, related_name="campaigns")
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="survey_campaigns"
    )
    created_at = models.DateTimeField(db_index=True)
    # The audience as chosen (empty: no filter on that criterion); the invitations are who it reached.
    tiers = models.JSONField(default=list, blank=True)
    segment_ids = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    send_after = models.DateTimeField(null=True, blank=True, help_text="Not sent before (pulses wait a while).")
    expires_at = models.DateTimeField()
    reminder_after_business_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    max_reminders = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(2)])
    plan = models.ForeignKey(ActionPlan, models.CASCADE, null=True, blank=True, related_name="pulse_campaigns")

    objects = SurveyCampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="survey_campaign_time")]
        constraints = [
            models.CheckConstraint(condition=Q(max_reminders__lte=2), name="survey_campaign_two_reminders_at_most"),
            models.CheckConstraint(
                condition=Q(kind=SurveyKind.PULSE) | Q(plan__isnull=True), name="survey_only_pulses_follow_a_plan"
            ),
            # One pulse per plan: a plan confirmed twice (a signal sent again, a retry) asks once.
            models.UniqueConstraint(fields=["plan"], condition=Q(plan__isnull=False), name="survey_one_pulse_per_plan"),
        ]

    def __str__(self) -> str:
        return self.name

    def tier_labels(self) -> list[str]:
        return [Tier(t).label for t in self.tiers if t in Tier.values]


class SurveyInvitationQuerySet(models.QuerySet["SurveyInvitation"]):
    def visible_to(self, user: Any) -> SurveyInvitationQuerySet:
        return visible_through_account(self, user)


class SurveyInvitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Not sent yet"
        SENT = "sent", "Sent"
        OPENED = "opened", "Opened"
        COMPLETED = "completed", "Answered"
        REVOKED = "revoked", "Revoked"

    campaign = models.ForeignKey(SurveyCampaign, models.CASCADE, related_name="invitations")
    account = models.ForeignKey(Account, models.CASCADE, related_name="survey_invitations")
    contact = models.ForeignKey(CustomerContact, models.CASCADE, related_name="survey_invitations")
    email = models.EmailField(help_text="Where it was sent: the contact's address when invited.")
    nonce = models.CharField(max_length=32, help_text="Part of the signed link; rotated on revoke.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "id"]
        indexes = [
            # The send and reminder sweeps: a campaign's unsent, or sent and unanswered, rows.
            models.Index(fields=["campaign", "sent_at"], name="survey_invitation_outbox"),
            models.Index(fields=["account", "campaign"], name="survey_invitation_account"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="survey_invite_contact_once"),
            models.CheckConstraint(condition=Q(reminders_sent__lte=2), name="survey_two_reminders_at_most"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.contact_id}"


class SurveyResponseQuerySet(models.QuerySet["SurveyResponse"]):
    def visible_to(self, user: Any) -> SurveyResponseQuerySet:
        return visible_through_account(self, user)

    def submitted(self) -> SurveyResponseQuerySet:
        return self.filter(submitted_at__isnull=False)


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(SurveyInvitation, models.CASCADE, related_name="response")
    campaign = models.ForeignKey(SurveyCampaign, models.CASCADE, related_name="responses")
    account = models.ForeignKey(Account, models.CASCADE, related_name="survey_responses")
    contact = models.ForeignKey(CustomerContact, models.CASCADE, related_name="survey_responses")
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Empty while the answers are partial.")
    recommend = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–10, copied on submit.")
    choose_again = models.BooleanField(null=True, blank=True, help_text="Copied on submit.")

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["account", "submitted_at"], name="survey_response_account_time"),
            models.Index(fields=["campaign", "submitted_at"], name="survey_response_campaign_time"),
            models.Index(fields=["submitted_at"], name="survey_response_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recommend__isnull=True) | (Q(recommend__gte=0) & Q(recommend__lte=10)),
                name="survey_recommend_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.campaign_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class SurveyAnswerQuerySet(models.QuerySet["SurveyAnswer"]):
    def visible_to(self, user: Any) -> SurveyAnswerQuerySet:
        return visible_through_account(self, user, via="response__account")


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, models.PROTECT, related_name="answers")
    dimension = models.CharField(max_length=30, choices=Topic.choices, blank=True)
    score = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, help_text="Free text, verbatim.")
    comment = models.TextField(blank=True, help_text="The comment beside a score, verbatim.")
    issue = models.OneToOneField(Issue, models.SET_NULL, null=True, blank=True, related_name="survey_answer")

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["response", "question__position"]
        indexes = [models.Index(fields=["dimension", "response"], name="survey_answer_dimension")]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=10)), name="survey_score_0_to_10"
            ),
            models.CheckConstraint(
                condition=Q(dimension="") | Q(score__isnull=True) | (Q(score__gte=1) & Q(score__lte=5)),
                name="survey_dimension_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score if self.score is not None else self.text[:40]}"


class SurveyOptOut(models.Model):
    class Source(models.TextChoices):
        LINK = "link", "The survey page's opt-out link"
        STAFF = "staff", "Recorded by our staff"

    contact = models.OneToOneField(CustomerContact, models.CASCADE, related_name="survey_opt_out")
    opted_out_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LINK)

    def __str__(self) -> str:
        return f"{self.contact_id} opted out"


class DimensionOwner(models.Model):
    """The department that owns a dimension: its detractor issues and proposed plans go there."""

    dimension = models.CharField(max_length=30, choices=Topic.choices, unique=True)
    department = models.ForeignKey(Department, models.CASCADE, related_name="owned_dimensions")

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} → {self.department}"


class DeclineProposalQuerySet(models.QuerySet["DeclineProposal"]):
    def visible_to(self, user: Any) -> DeclineProposalQuerySet:
        return visible_through_account(self, user)


class DeclineProposal(models.Model):
    """A dimension an account scored lower than in its previous survey, and the plan we suggest for it."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    account = models.ForeignKey(Account, models.CASCADE, related_name="decline_proposals")
    dimension = models.CharField(max_length=30, choices=Topic.choices)
    previous_campaign = models.ForeignKey(SurveyCampaign, models.CASCADE, related_name="+")
    previous_score = models.DecimalField(max_digits=3, decimal_places=2)
    current_campaign = models.ForeignKey(SurveyCampaign, models.CASCADE, related_name="decline_proposals")
    current_score = models.DecimalField(max_digits=3, decimal_places=2)
    suggested_owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, models.PROTECT, related_name="decline_proposals")
    suggested_promise_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED, db_index=True)
    dismiss_reason = models.TextField(blank=True)
    plan = models.ForeignKey(ActionPlan, models.SET_NULL, null=True, blank=True, related_name="decline_proposals")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeclineProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "state"], name="survey_proposal_account")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "dimension", "current_campaign"], name="survey_one_proposal_per_decline"
            ),
            models.CheckConstraint(
                condition=Q(previous_score__gte=1)
                & Q(previous_score__lte=5)
                & Q(current_score__gte=1)
                & Q(current_score__lte=5),
                name="survey_proposal_scores_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(current_score__lt=models.F("previous_score")), name="survey_proposal_is_a_decline"
            ),
            models.CheckConstraint(
                condition=~Q(state="dismissed") | ~Q(dismiss_reason=""), name="survey_dismissal_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.dimension}: {self.previous_score} → {self.current_score}"
