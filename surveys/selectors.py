"""Every read of surveys: scoped first (accounts' visibility rule), shaped here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.crypto import constant_time_compare

from accounts.models import Account, CustomerContact
from actionplans.models import BusinessCalendar
from feedback.models import Topic
from organization.models import Department
from surveys import links
from surveys.models import (
    DimensionOwner,
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
    SurveyVersion,
)

# Which department owns a dimension when no DimensionOwner row says otherwise: by the department slugs the
# product ships with (organization.seed), the routing the contact log's demo data follows.
DEFAULT_OWNER_SLUGS: dict[str, str] = {
    Topic.BUSINESS_RELATIONSHIP: "sales",
    Topic.PRODUCT_PERFORMANCE: "engineering",
    Topic.FIELD_SERVICE: "field-service",
    Topic.DELIVERY: "quality",
    Topic.QUALITY: "quality",
    Topic.BILLING: "billing",
    Topic.PRICING: "sales",
    Topic.OTHER: "sales",
}


def department_for_dimension(*, dimension: str, account: Account | None = None) -> Department | None:
    """The department that owns `dimension`: the admin's DimensionOwner row, else the shipped slug, else the
    account owner's department, else none (the caller decides)."""
    owner = DimensionOwner.objects.filter(dimension=dimension).select_related("department").first()
    if owner is not None:
        return owner.department
    slug = DEFAULT_OWNER_SLUGS.get(dimension)
    department = Department.objects.filter(slug=slug).first() if slug else None
    if department is None and account is not None:
        department = account.owner.department
    return department


def current_version(*, template: SurveyTemplate) -> SurveyVersion:
    version = template.versions.order_by("-number").first()
    if version is None:
        raise SurveyVersion.DoesNotExist(f"{template} has no questions yet")
    return version


def templates() -> QuerySet[SurveyTemplate]:
    return SurveyTemplate.objects.order_by("kind", "name")


def questions(*, version_id: int) -> list[SurveyQuestion]:
    return list(SurveyQuestion.objects.filter(version_id=version_id).order_by("position"))


def campaigns_for_user(*, user: Any) -> QuerySet[SurveyCampaign]:
    """Every campaign with its totals (sent, opened, answered): one query."""
    return (
        SurveyCampaign.objects.visible_to(user)
        .select_related("version__template", "created_by", "plan")
        .annotate(
            recipients=Count("invitations"),
            sent=Count("invitations", filter=Q(invitations__sent_at__isnull=False)),
            opened=Count("invitations", filter=Q(invitations__opened_at__isnull=False)),
            answered=Count("invitations", filter=Q(invitations__completed_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def campaign_for_user(*, user: Any, pk: int) -> SurveyCampaign:
    return campaigns_for_user(user=user).get(pk=pk)


def invitations_for_user(*, user: Any, campaign: SurveyCampaign) -> QuerySet[SurveyInvitation]:
    """The campaign's recipients on accounts the user may open: one query."""
    return (
        SurveyInvitation.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("account__owner", "contact")
        .order_by("account__name", "contact__name", "pk")
    )


def invitation_for_user(*, user: Any, pk: int) -> SurveyInvitation:
    return SurveyInvitation.objects.visible_to(user).select_related("campaign", "account", "contact").get(pk=pk)


def live_invitation(*, token: str, now: datetime) -> SurveyInvitation | None:
    """The invitation a link opens, or None when the link is bad in any way: not ours or tampered, unknown,
    revoked (its nonce rotated), answered already, or its campaign closed or expired. The caller answers every
    None the same way, so a link tells nothing about why it does not work."""
    read = links.read_token(token)
    if read is None:
        return None
    pk, nonce = read
    invitation = (
        SurveyInvitation.objects.select_related("campaign__version__template", "account", "contact")
        .filter(pk=pk)
        .first()
    )
    if invitation is None or not constant_time_compare(invitation.nonce, nonce):
        return None
    campaign = invitation.campaign
    if (
        invitation.revoked_at is not None
        or invitation.completed_at is not None
        or invitation.sent_at is None
        or campaign.state == SurveyCampaign.State.CLOSED
        or campaign.expires_at <= now
    ):
        return None
    return invitation


def response_of(*, invitation: SurveyInvitation) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(invitation=invitation).first()


def saved_answers(*, response: SurveyResponse | None) -> dict[int, SurveyAnswer]:
    if response is None:
        return {}
    return {answer.question_id: answer for answer in SurveyAnswer.objects.filter(response=response)}


def recipients_for(*, accounts: QuerySet[Account]) -> QuerySet[CustomerContact]:
    """The contacts a campaign to these accounts reaches: active, with an email address, not opted out."""
    return (
        CustomerContact.objects.filter(account__in=accounts, is_active=True)
        .exclude(email="")
        .filter(survey_opt_out__isnull=True)
        .order_by("account_id", "pk")
    )


def business_days_after(*, calendar: BusinessCalendar, moment: datetime, days: int) -> datetime:
    """The same time of day `days` working days after `moment`, in the business calendar (weekends, holidays)."""
    local = moment.astimezone(calendar.zone)
    return local + timedelta(days=(calendar.add_workdays(local.date(), days) - local.date()).days)


@dataclass(frozen=True)
class AnswerLine:
    wording: str
    kind: str
    dimension: str
    score: int | None
    text: str
    comment: str


def answer_lines(*, response_ids: list[int]) -> dict[int, list[AnswerLine]]:
    """Each response's answers, in question order: one query."""
    lines: dict[int, list[AnswerLine]] = {}
    rows = (
        SurveyAnswer.objects.filter(response_id__in=response_ids)
        .select_related("question")
        .order_by("response_id", "question__position")
    )
    for answer in rows:
        lines.setdefault(answer.response_id, []).append(
            AnswerLine(
                wording=answer.question.wording,
                kind=answer.question.kind,
                dimension=answer.dimension,
                score=answer.score,
                text=answer.text,
                comment=answer.comment,
            )
        )
    return lines
