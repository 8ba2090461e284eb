"""Demo surveys: two years of the annual perception survey and pulses after confirmed plans, with realistic
response rates (about half the contacts answer), a few accounts whose scores fell this year (so the year-over-year
page and its proposed plans have something to show), then the proposals themselves.

At `--scale large` the bulk loader (connectivity.seeding_large) writes the surveys set-based instead.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Account, CustomerContact
from actionplans.models import ActionPlan, PlanStatus
from feedback.models import Topic
from kernel.seeding import SeedContext
from surveys import proposals
from surveys.models import (
    DIMENSIONS,
    QuestionKind,
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)

RESPONSE_RATE = 0.5  # of the contacts invited, about half answer
CONTACTS_PER_ACCOUNT = 2
DECLINING_SHARE = 0.08  # accounts whose scores fell this year
PULSES = 20
COMMENTS: dict[str, list[str]] = {
    Topic.DELIVERY: ["Three late trucks this quarter.", "Deliveries are on time now, thank you."],
    Topic.QUALITY: ["The last batch had scratches on every housing.", "Quality is consistent."],
    Topic.FIELD_SERVICE: ["Your technician waited two days for a part.", "Field service is excellent."],
    Topic.BILLING: ["Invoices still arrive without our PO number.", ""],
    Topic.PRICING: ["The surcharge came without warning.", ""],
    Topic.PRODUCT_PERFORMANCE: ["The new controller halved our changeover time.", ""],
    Topic.BUSINESS_RELATIONSHIP: ["We rarely hear from you unless we call.", "You listen."],
}
NEEDS = ["Shorter lead times on spare parts.", "A single contact for warranty claims.", "Training for our new team."]
WANTS = ["A visit from your engineers once a year.", "A heads-up before price changes.", "Fewer emails, more calls."]


def _started(year: int) -> datetime:
    return datetime.combine(date(year, 3, 2), time(9), tzinfo=timezone.get_current_timezone())


def _version(slug: str) -> SurveyVersion:
    version = SurveyVersion.objects.filter(template__slug=slug).order_by("-number").first()
    if version is None:
        raise SurveyVersion.DoesNotExist(f"The {slug} survey is missing: migrate first.")
    return version


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def seed(ctx: SeedContext) -> None:
    if ctx.scale == "large":
        return  # connectivity.seeding_large writes them set-based
    rng = ctx.rng
    now = timezone.now()
    this_year = timezone.localdate(now).year
    accounts = list(Account.objects.order_by("pk").values_list("pk", "owner__email"))
    contacts: dict[int, list[CustomerContact]] = defaultdict(list)
    for contact in CustomerContact.objects.exclude(email="").order_by("account_id", "-influence", "pk"):
        if len(contacts[contact.account_id]) < CONTACTS_PER_ACCOUNT:
            contacts[contact.account_id].append(contact)
    # Every account has a mood (its usual score); a few declined this year, among them two of Alice's.
    mood = {pk: rng.choice([5, 4, 4, 4, 3, 3, 2]) for pk, _ in accounts}
    alices = [pk for pk, email in accounts if email == "alice@example.com" and contacts[pk]][:2]
    declining = set(alices) | {pk for pk, _ in accounts if rng.random() < DECLINING_SHARE}
    fell = {pk: set(rng.sample(DIMENSIONS, rng.randint(1, 3))) for pk in declining}
    for pk in declining:
        mood[pk] = max(mood[pk], 4)  # a decline is from a good score

    annual = _version("annual-perception")
    questions = list(annual.questions.order_by("position"))
    for year in (this_year - 1, this_year):
        started = _started(year)
        campaign = SurveyCampaign.objects.create(
            version=annual,
            kind=SurveyKind.ANNUAL,
            name=f"Customer perception survey {year}",
            created_at=started,
            state=SurveyCampaign.State.CLOSED if started + timedelta(days=60) < now else SurveyCampaign.State.SENT,
            expires_at=started + timedelta(days=60),
        )
        invited = [(pk, contact) for pk, _ in accounts for contact in contacts[pk]]
        _answer(
            ctx,
            campaign,
            questions,
            invited,
            score=lambda pk, dimension, latest=(year == this_year): (
                mood[pk] - (2 if latest and dimension in fell.get(pk, ()) else 0)
            ),
            now=now,
        )

    pulse = _version("pulse")
    pulse_questions = list(pulse.questions.order_by("position"))
    plans = list(
        ActionPlan.objects.filter(status=PlanStatus.CONFIRMED, resolved_at__isnull=False)
        .order_by("-resolved_at")
        .values_list("pk", "account_id", "resolved_at")[:PULSES]
    )
    for plan_id, account_id, resolved_at in plans:
        if not contacts[account_id] or resolved_at is None:
            continue
        started = resolved_at + timedelta(days=2)
        campaign = SurveyCampaign.objects.create(
            version=pulse,
            kind=SurveyKind.PULSE,
            name=f"Pulse after plan {plan_id}",
            created_at=started,
            send_after=started,
            state=SurveyCampaign.State.SENT,
            expires_at=started + timedelta(days=30),
            plan_id=plan_id,
        )
        _answer(
            ctx,
            campaign,
            pulse_questions,
            [(account_id, contacts[account_id][0])],
            score=lambda pk, d: mood[pk],
            now=now,
        )
    proposals.propose_plans(now=now)


def _answer(
    ctx: SeedContext,
    campaign: SurveyCampaign,
    questions: list[SurveyQuestion],
    invited: list[tuple[int, CustomerContact]],
    *,
    score: Any,
    now: datetime,
) -> None:
    """Invite each contact; about half answer within two weeks, each dimension near its account's score."""
    rng = ctx.rng
    invitations = SurveyInvitation.objects.bulk_create(
        SurveyInvitation(
            campaign=campaign,
            account_id=account_id,
            contact=contact,
            email=contact.email,
            nonce=f"{rng.getrandbits(64):016x}",
            state=SurveyInvitation.State.SENT,
            sent_at=campaign.created_at + timedelta(minutes=rng.randint(0, 120)),
        )
        for account_id, contact in invited
    )
    answered = [i for i in invitations if rng.random() < RESPONSE_RATE and i.sent_at and i.sent_at < now]
    responses = []
    for invitation in answered:
        sent_at: datetime = invitation.sent_at or now
        submitted: datetime = min(now - timedelta(minutes=5), sent_at + timedelta(hours=rng.randint(2, 14 * 24)))
        invitation.completed_at, invitation.state = submitted, SurveyInvitation.State.COMPLETED
        responses.append(
            SurveyResponse(
                invitation=invitation,
                campaign=campaign,
                account_id=invitation.account_id,
                contact_id=invitation.contact_id,
                started_at=submitted - timedelta(minutes=rng.randint(3, 20)),
                updated_at=submitted,
                submitted_at=submitted,
            )
        )
    SurveyInvitation.objects.bulk_update(answered, ["completed_at", "state"], batch_size=1000)
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)
    answers = []
    for response in responses:
        account_id = response.account_id
        level = sum(score(account_id, d) for d in DIMENSIONS) / len(DIMENSIONS)
        response.recommend = _clamp(level * 2 + rng.gauss(0, 1.2), 0, 10)
        response.choose_again = response.recommend >= 6 or rng.random() < 0.2
        for question in questions:
            value: int | None = None
            text = comment = ""
            if question.kind == QuestionKind.SCORE and question.dimension:
                # Each account rates a dimension the same every year (its own offset from its usual score):
                # only the declining accounts' scores fall, so the proposals are about them, not noise.
                offset = (account_id * 7 + DIMENSIONS.index(question.dimension) * 3) % 5 // 2 - 1
                value = _clamp(score(account_id, question.dimension) + offset, 1, 5)
                if value <= 2 or rng.random() < 0.1:
                    comment = rng.choice(COMMENTS.get(question.dimension, [""]))
            elif question.kind == QuestionKind.SCORE:
                value = _clamp(level + rng.choice([-1, 0, 0, 1]), 1, 5)
            elif question.kind == QuestionKind.RECOMMEND:
                value = response.recommend
            elif question.kind in {QuestionKind.CHOOSE_AGAIN, QuestionKind.YES_NO}:
                value = int(bool(response.choose_again))
            elif question.kind == QuestionKind.NEEDS and rng.random() < 0.4:
                text = rng.choice(NEEDS)
            elif question.kind == QuestionKind.WANTS and rng.random() < 0.4:
                text = rng.choice(WANTS)
            if value is None and not text:
                continue
            answers.append(
                SurveyAnswer(
                    response=response,
                    question=question,
                    dimension=question.dimension,
                    score=value,
                    text=text,
                    comment=comment,
                )
            )
    SurveyResponse.objects.bulk_update(responses, ["recommend", "choose_again"], batch_size=1000)
    SurveyAnswer.objects.bulk_create(answers, batch_size=2000)
