"""Every write of surveys: campaigns, the emails they owe (exactly once), answers, and the issues answers raise.

Exactly once, as escalations do it: the invitation row is the email's outbox. A send claims unsent rows with a
conditional UPDATE (sent_at NULL → now) in a transaction that locks them (SKIP LOCKED: two workers share the
work), commits, then mails what it claimed; a reminder claims its row by moving `reminders_sent` and
`last_reminded_at` the same way. A retry, a second send or an overlapping sweep finds nothing left to claim: a
crash between the commit and the mail loses that one email (the reminder follows), never sends one twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse

from accounts.models import Account, AccountStatus, CustomerContact, Tier
from actionplans import selectors as plan_selectors
from actionplans.models import ActionPlan, PlanStatus
from feedback import services as feedback_services
from feedback.models import Issue, Severity, Topic
from organization import services as organization_services
from organization.models import User
from surveys import events, links, policies, selectors, tasks
from surveys.models import (
    MAX_PERCEPTION_QUESTIONS,
    SCORE_RANGE,
    TEXT_KINDS,
    QuestionKind,
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveyKind,
    SurveyOptOut,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
    SurveyVersion,
)

logger = logging.getLogger(__name__)

SEND_BATCH = 200  # invitations claimed and mailed per transaction
MAX_TEXT = 5000  # characters in one free-text answer or comment
DEFAULT_EXPIRY_DAYS = 30
PULSE_EXPIRY_DAYS = 21


class LinkNotUsable(Exception):
    """The link was answered, revoked or expired between opening the page and saving it."""


# --- Templates and versions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInput:
    kind: str
    wording: str
    dimension: str = ""
    allows_comment: bool = False
    required: bool = True


def check_questions(*, kind: str, questions: Sequence[QuestionInput]) -> None:
    """A perception survey asks at most MAX_PERCEPTION_QUESTIONS; every question is well formed."""
    errors: dict[str, list[str]] = {}
    if not questions:
        errors["questions"] = ["A survey asks at least one question."]
    if kind == SurveyKind.ANNUAL and len(questions) > MAX_PERCEPTION_QUESTIONS:
        errors["questions"] = [
            f"A perception survey asks at most {MAX_PERCEPTION_QUESTIONS} questions; this one asks {len(questions)}."
        ]
    for index, question in enumerate(questions):
        if question.kind not in QuestionKind.values:
            errors[f"questions.{index}.kind"] = [f"Unknown kind {question.kind!r}."]
        if not question.wording.strip():
            errors[f"questions.{index}.wording"] = ["Write the question."]
        if question.dimension and question.dimension not in Topic.values:
            errors[f"questions.{index}.dimension"] = [f"Unknown dimension {question.dimension!r}."]
        if question.kind == QuestionKind.SCORE and not question.dimension:
            errors[f"questions.{index}.dimension"] = ["A satisfaction score is about one dimension."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def revise_questions(*, template: SurveyTemplate, questions: Sequence[QuestionInput], by: User) -> SurveyVersion:
    """Editing a survey's questions makes its next version; campaigns already sent keep theirs, and so do their
    answers."""
    if not policies.can_start_campaign(person=by) or not getattr(by, "is_admin", False):
        raise PermissionDenied("Only admins change a survey's questions.")
    check_questions(kind=template.kind, questions=questions)
    locked = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = SurveyVersion.objects.create(template=locked, number=last + 1)
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            version=version,
            position=position,
            kind=q.kind,
            dimension=q.dimension,
            wording=q.wording.strip(),
            allows_comment=q.allows_comment,
            required=q.required,
        )
        for position, q in enumerate(questions, start=1)
    )
    return version


# --- Campaigns --------------------------------------------------------------------------------------------------


def _audience(*, by: User, tiers: Sequence[int], segment_ids: Sequence[int], owner: User | None) -> QuerySet[Account]:
    accounts = policies.accounts_a_campaign_may_reach(person=by).exclude(status=AccountStatus.LOST)
    if tiers:
        accounts = accounts.filter(tier__in=tiers)
    if segment_ids:
        accounts = accounts.filter(segment_id__in=segment_ids)
    if owner is not None:
        accounts = accounts.filter(owner=owner)
    return accounts


def _invite(campaign: SurveyCampaign, contacts: Iterable[CustomerContact]) -> list[SurveyInvitation]:
    return SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                campaign=campaign, account_id=c.account_id, contact=c, email=c.email, nonce=links.new_nonce()
            )
            for c in contacts
        ],
        batch_size=1000,
    )


@transaction.atomic
def start_campaign(
    *,
    by: User,
    template: SurveyTemplate,
    name: str,
    now: datetime,
    tiers: Sequence[int] = (),
    segment_ids: Sequence[int] = (),
    owner: User | None = None,
    expires_in_days: int = DEFAULT_EXPIRY_DAYS,
    reminder_after_business_days: int = 5,
) -> SurveyCampaign:
    """Survey the contacts of the accounts the filters pick (among those `by` may survey): one invitation per
    active contact with an email address who has not opted out. The emails go from a task after the commit."""
    if not policies.can_start_campaign(person=by):
        raise PermissionDenied("Only admins and account managers start survey campaigns.")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Name the campaign, e.g. “Annual survey 2026”."]
    if any(t not in Tier.values for t in tiers):
        errors["tiers"] = ["Unknown tier."]
    if not 1 <= expires_in_days <= 365:
        errors["expires_in_days"] = ["A link stays valid between 1 and 365 days."]
    if not 1 <= reminder_after_business_days <= 60:
        errors["reminder_after_business_days"] = ["Remind after 1 to 60 business days."]
    if errors:
        raise ValidationError(errors)
    version = selectors.current_version(template=template)
    check_questions(
        kind=template.kind,
        questions=[
            QuestionInput(kind=q.kind, wording=q.wording, dimension=q.dimension) for q in version.questions.all()
        ],
    )
    accounts = _audience(by=by, tiers=tiers, segment_ids=segment_ids, owner=owner)
    contacts = list(selectors.recipients_for(accounts=accounts).only("pk", "account_id", "email"))
    if not contacts:
        raise ValidationError({"__all__": ["No contact with an email address on these accounts to survey."]})
    campaign = SurveyCampaign.objects.create(
        version=version,
        kind=template.kind,
        name=name.strip(),
        created_by=by,
        created_at=now,
        tiers=sorted(set(tiers)),
        segment_ids=sorted(set(segment_ids)),
        owner=owner,
        state=SurveyCampaign.State.SENDING,
        expires_at=now + timedelta(days=expires_in_days),
        reminder_after_business_days=reminder_after_business_days,
    )
    _invite(campaign, contacts)
    tasks.send_invitations_task.delay_on_commit(campaign.pk)
    return campaign


@transaction.atomic
def schedule_pulse(*, plan_id: int, now: datetime) -> SurveyCampaign | None:
    """The pulse for a plan the customer confirmed resolved: to the contacts who took part in the conversations
    behind it (else the account's most influential contact), sent SURVEY_PULSE_DELAY_HOURS later by the send
    sweep. Once per plan, whatever the number of calls (the unique plan on a campaign is the backstop)."""
    plan = ActionPlan.objects.select_related("account").filter(pk=plan_id, status=PlanStatus.CONFIRMED).first()
    if plan is None or SurveyCampaign.objects.filter(plan_id=plan_id).exists():
        return None
    template = (
        SurveyTemplate.objects.filter(slug="pulse").first()
        or SurveyTemplate.objects.filter(kind=SurveyKind.PULSE).first()
    )
    if template is None:
        logger.warning("No pulse survey template: plan %s gets no pulse.", plan_id)
        return None
    reachable = selectors.recipients_for(accounts=Account.objects.filter(pk=plan.account_id))
    contacts = list(reachable.filter(contact_logs__issues__plans=plan).distinct())
    if not contacts:
        contacts = list(reachable.order_by("-influence", "pk")[:1])
    if not contacts:
        return None
    send_after = now + timedelta(hours=settings.SURVEY_PULSE_DELAY_HOURS)
    try:
        with transaction.atomic():
            campaign = SurveyCampaign.objects.create(
                version=selectors.current_version(template=template),
                kind=SurveyKind.PULSE,
                name=f"Pulse: {plan.title}"[:200],
                created_at=now,
                owner=None,
                state=SurveyCampaign.State.SENDING,
                send_after=send_after,
                expires_at=send_after + timedelta(days=PULSE_EXPIRY_DAYS),
                plan=plan,
            )
    except IntegrityError:
        return None  # another caller scheduled it first
    _invite(campaign, contacts)
    return campaign


# --- Sending and reminding --------------------------------------------------------------------------------------


def _message(invitation: SurveyInvitation, *, reminder: bool) -> EmailMessage:
    campaign = invitation.campaign
    template = campaign.version.template
    link = links.absolute_link(invitation)
    greeting = f"Hello {invitation.contact.name}," if invitation.contact.name else "Hello,"
    lines = [
        greeting,
        "",
        "A reminder: we would still value your answers." if reminder else "",
        template.intro,
        "",
        "Your private link (please do not forward it; it works until "
        f"{campaign.expires_at:%d %B %Y}, and you can save and finish later):",
        link,
        "",
        "If you would rather not receive our surveys, open the link and choose “No more surveys”.",
    ]
    subject = f"{'Reminder: ' if reminder else ''}{template.name}"
    body = "\n".join(line for index, line in enumerate(lines) if line or index != 2)
    return EmailMessage(subject=subject, body=body, to=[invitation.email])


def _mail(invitations: Sequence[SurveyInvitation], *, reminder: bool) -> int:
    if not invitations:
        return 0
    with get_connection() as connection:
        return int(connection.send_messages([_message(i, reminder=reminder) for i in invitations]) or 0)


def _claimed(ids: Sequence[int]) -> list[SurveyInvitation]:
    return list(
        SurveyInvitation.objects.filter(pk__in=ids)
        .select_related("campaign__version__template", "contact")
        .order_by("pk")
    )


def send_invitations(*, campaign_id: int, now: datetime) -> int:
    """Mail the campaign's unsent invitations, each once: claimed, committed, then sent (module docstring).
    Nothing before the campaign's send_after, nothing once it expired or closed. Returns how many were mailed."""
    mailed = 0
    while True:
        with transaction.atomic():
            campaign = SurveyCampaign.objects.filter(
                pk=campaign_id, state__in=[SurveyCampaign.State.SENDING, SurveyCampaign.State.SENT]
            ).first()
            if campaign is None or campaign.expires_at <= now or (campaign.send_after and campaign.send_after > now):
                return mailed
            unsent = SurveyInvitation.objects.filter(campaign_id=campaign_id, sent_at__isnull=True, revoked_at=None)
            ids = list(
                unsent.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:SEND_BATCH]
            )
            if not ids:
                SurveyCampaign.objects.filter(pk=campaign_id, state=SurveyCampaign.State.SENDING).update(
                    state=SurveyCampaign.State.SENT
                )
                return mailed
            # A contact who opted out after the campaign started hears nothing from it.
            unsent.filter(pk__in=ids, contact__survey_opt_out__isnull=False).update(
                revoked_at=now, state=SurveyInvitation.State.REVOKED
            )
            won = list(unsent.filter(pk__in=ids, contact__survey_opt_out__isnull=True).values_list("pk", flat=True))
            SurveyInvitation.objects.filter(pk__in=won, sent_at__isnull=True).update(
                sent_at=now, state=SurveyInvitation.State.SENT
            )
        mailed += _mail(_claimed(won), reminder=False)


def invitations_due_for_reminder(*, now: datetime) -> list[int]:
    """Sent, unanswered, live invitations whose last email (the invitation or a reminder) is the campaign's
    reminder delay in business days old, with reminders left."""
    calendar = plan_selectors.business_calendar()
    candidates = (
        SurveyInvitation.objects.filter(
            sent_at__isnull=False,
            completed_at=None,
            revoked_at=None,
            contact__survey_opt_out__isnull=True,
            campaign__state__in=[SurveyCampaign.State.SENDING, SurveyCampaign.State.SENT],
            campaign__expires_at__gt=now,
            reminders_sent__lt=F("campaign__max_reminders"),
        )
        .values_list("pk", "sent_at", "last_reminded_at", "campaign__reminder_after_business_days")
        .order_by("pk")
    )
    return [
        pk
        for pk, sent_at, reminded_at, days in candidates.iterator()
        if selectors.business_days_after(calendar=calendar, moment=reminded_at or sent_at or now, days=days) <= now
    ]


def send_reminders(*, invitation_ids: Sequence[int], now: datetime) -> int:
    """Remind these contacts, each at most once per due reminder: the row is claimed by moving its count and
    time under its lock, then the email goes. Rows answered, revoked or reminded since they were found are left."""
    with transaction.atomic():
        rows = list(
            # Only the invitation rows: a lock on the joined campaign would make a concurrent batch skip them all.
            SurveyInvitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=invitation_ids, completed_at=None, revoked_at=None, sent_at__isnull=False)
            .filter(reminders_sent__lt=F("campaign__max_reminders"))
            .values_list(
                "pk", "reminders_sent", "last_reminded_at", "sent_at", "campaign__reminder_after_business_days"
            )
        )
        calendar = plan_selectors.business_calendar()
        won: list[int] = []
        for pk, count, reminded_at, sent_at, days in rows:
            base = reminded_at or sent_at or now
            if selectors.business_days_after(calendar=calendar, moment=base, days=days) > now:
                continue  # reminded by someone else since it was found due
            if SurveyInvitation.objects.filter(pk=pk, reminders_sent=count).update(
                reminders_sent=count + 1, last_reminded_at=now
            ):
                won.append(pk)
    return _mail(_claimed(won), reminder=True)


@transaction.atomic
def revoke_invitation(*, invitation: SurveyInvitation, by: User, now: datetime) -> SurveyInvitation:
    """Kill a link: its nonce is rotated, so every copy of it (the email, a forward) stops working."""
    if not policies.can_revoke_invitation(person=by, invitation=invitation):
        raise PermissionDenied("Only an admin, the campaign's starter or the account's owner revokes this link.")
    SurveyInvitation.objects.filter(pk=invitation.pk, completed_at=None).update(
        nonce=links.new_nonce(), revoked_at=now, state=SurveyInvitation.State.REVOKED
    )
    invitation.refresh_from_db()
    return invitation


# --- The public page --------------------------------------------------------------------------------------------


def mark_opened(*, invitation: SurveyInvitation, now: datetime) -> None:
    SurveyInvitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=now)
    SurveyInvitation.objects.filter(pk=invitation.pk, state=SurveyInvitation.State.SENT).update(
        state=SurveyInvitation.State.OPENED
    )


@transaction.atomic
def opt_out(*, invitation: SurveyInvitation, now: datetime, source: str = SurveyOptOut.Source.LINK) -> SurveyOptOut:
    """The contact asked for no more surveys: every campaign skips them from now on, this one's reminders too."""
    opt, _ = SurveyOptOut.objects.get_or_create(
        contact_id=invitation.contact_id, defaults={"opted_out_at": now, "source": source}
    )
    return opt


@dataclass(frozen=True)
class AnswerInput:
    score: int | None = None
    text: str = ""
    comment: str = ""

    @property
    def is_empty(self) -> bool:
        return self.score is None and not self.text.strip() and not self.comment.strip()


def _check_answers(
    questions: Sequence[SurveyQuestion], answers: Mapping[int, AnswerInput], *, submit: bool
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for q in questions:
        answer = answers.get(q.pk, AnswerInput())
        field = f"q{q.pk}"
        if q.kind in SCORE_RANGE and answer.score is not None:
            low, high = SCORE_RANGE[q.kind]
            if not low <= answer.score <= high:
                errors[field] = [f"Choose from {low} to {high}."]
        if q.kind in SCORE_RANGE and answer.text:
            errors[field] = ["Choose one of the options."]
        if q.kind in TEXT_KINDS and answer.score is not None:
            errors[field] = ["Write your answer in words."]
        if answer.comment and not q.allows_comment:
            errors[field] = ["This question takes no comment."]
        if len(answer.text) > MAX_TEXT or len(answer.comment) > MAX_TEXT:
            errors[field] = [f"Please keep it under {MAX_TEXT} characters."]
        if submit and q.required and field not in errors:
            missing = answer.score is None if q.kind in SCORE_RANGE else not answer.text.strip()
            if missing:
                errors[field] = ["Please answer this question."]
    return errors


def save_answers(
    *, invitation: SurveyInvitation, answers: Mapping[int, AnswerInput], submit: bool, now: datetime
) -> SurveyResponse:
    """Save what the contact has answered so far (a partial response they can finish later with the same link),
    or, with `submit`, check that every required question is answered and complete the response: the link dies,
    and the answers that call for it raise issues (a task after the commit, once per answer)."""
    with transaction.atomic():
        locked = (
            SurveyInvitation.objects.select_for_update()
            .filter(pk=invitation.pk, nonce=invitation.nonce, completed_at=None, revoked_at=None)
            .first()
        )
        campaign = invitation.campaign
        if locked is None or campaign.expires_at <= now or campaign.state == SurveyCampaign.State.CLOSED:
            raise LinkNotUsable
        questions = selectors.questions(version_id=campaign.version_id)
        errors = _check_answers(questions, answers, submit=submit)
        if errors:
            raise ValidationError(errors)
        response, _ = SurveyResponse.objects.get_or_create(
            invitation=locked,
            defaults={
                "campaign": campaign,
                "account_id": locked.account_id,
                "contact_id": locked.contact_id,
                "started_at": now,
                "updated_at": now,
            },
        )
        saved = selectors.saved_answers(response=response)
        create: list[SurveyAnswer] = []
        update: list[SurveyAnswer] = []
        cleared: list[int] = []
        for q in questions:
            given = answers.get(q.pk, AnswerInput())
            existing = saved.get(q.pk)
            if given.is_empty:
                if existing is not None:
                    cleared.append(existing.pk)
                continue
            # Free text is kept exactly as typed: never trimmed inside, never summarised.
            values = {"score": given.score, "text": given.text.strip(), "comment": given.comment.strip()}
            if existing is None:
                create.append(SurveyAnswer(response=response, question=q, dimension=q.dimension, **values))
            elif any(getattr(existing, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(existing, k, v)
                update.append(existing)
        SurveyAnswer.objects.filter(pk__in=cleared, issue__isnull=True).delete()
        SurveyAnswer.objects.bulk_create(create)
        SurveyAnswer.objects.bulk_update(update, ["score", "text", "comment"])
        response.updated_at = now
        fields = ["updated_at"]
        if submit:
            by_kind = {q.kind: answers.get(q.pk, AnswerInput()).score for q in questions}
            response.submitted_at = now
            response.recommend = by_kind.get(QuestionKind.RECOMMEND)
            chose = by_kind.get(QuestionKind.CHOOSE_AGAIN)
            response.choose_again = None if chose is None else bool(chose)
            fields += ["submitted_at", "recommend", "choose_again"]
            SurveyInvitation.objects.filter(pk=locked.pk, completed_at=None).update(
                completed_at=now, state=SurveyInvitation.State.COMPLETED
            )
            tasks.raise_issues_task.delay_on_commit(response.pk)
        response.save(update_fields=fields)
        if submit:
            events.responded(response)  # webhooks, proposed plans for declines, the dashboards on commit
    return response


# --- Answers become work ----------------------------------------------------------------------------------------


def _severity(kind: str, score: int) -> str:
    worst = score <= 3 if kind == QuestionKind.RECOMMEND else score <= 1
    return Severity.HIGH if worst else Severity.MEDIUM


def _verbatim(answer: SurveyAnswer) -> str:
    """The customer's own words as written; with none, a sentence quoting their score and our question."""
    words = answer.comment or answer.text
    if words.strip():
        return words
    question = answer.question
    low, high = SCORE_RANGE.get(question.kind, (0, 10))
    return f"Answered {answer.score} (of {low} to {high}) to “{question.wording}”, with no comment."


def raise_issues_for_response(*, response_id: int, now: datetime) -> list[Issue]:
    """Each detractor answer of a submitted response raises one issue, in the customer's words, for the
    department that owns its dimension (a recommend score: business relationship), through feedback's routing
    and notifications; the account's owner hears of it. Once per answer: the answers are locked and an answer
    that has its issue is skipped, so a retry or a second call raises nothing more."""
    raised: list[Issue] = []
    with transaction.atomic():
        response = (
            SurveyResponse.objects.select_related("account__owner", "contact")
            .filter(pk=response_id, submitted_at__isnull=False)
            .first()
        )
        if response is None:
            return []
        answers = list(
            SurveyAnswer.objects.select_for_update(of=("self",))
            .select_related("question")
            .filter(response=response, issue__isnull=True, score__isnull=False)
            .order_by("question__position")
        )
        account = response.account
        for answer in answers:
            question = answer.question
            if not events.is_detractor(answer):  # a dimension scored 1–2, or a recommend score 0–6
                continue
            assert answer.score is not None  # noqa: S101 - filtered above
            dimension = answer.dimension or Topic.BUSINESS_RELATIONSHIP
            department = selectors.department_for_dimension(dimension=dimension, account=account)
            if department is None:
                logger.warning("No department owns %s: survey answer %s raises no issue.", dimension, answer.pk)
                continue
            issue = feedback_services.raise_issue(
                account=account,
                department=department,
                verbatim=_verbatim(answer),
                severity=_severity(question.kind, answer.score),
                raised_by=account.owner,
                now=now,
            )
            SurveyAnswer.objects.filter(pk=answer.pk, issue__isnull=True).update(issue=issue)
            answer.issue, answer.response = issue, response
            events.detractor(answer)
            raised.append(issue)
        if raised:
            organization_services.notify(
                users=policies.owner_to_tell(account=account),
                kind="survey.detractor",
                title=f"{response.contact.name} of {account.name} answered a survey: "
                f"{len(raised)} issue{'s' if len(raised) != 1 else ''} raised",
                body="\n\n".join(issue.verbatim for issue in raised),
                url=reverse("accounts:detail", args=[account.pk]),
                dedupe_key=f"survey.detractor:{response.pk}",
            )
    return raised


def parse_answers(
    data: Mapping[str, Any], questions: Sequence[SurveyQuestion]
) -> tuple[dict[int, AnswerInput], dict[str, list[str]]]:
    """The answers a posted form carries (q<id>, q<id>_comment), and the fields that are not even well formed."""
    answers: dict[int, AnswerInput] = {}
    errors: dict[str, list[str]] = {}
    for q in questions:
        raw = str(data.get(f"q{q.pk}", "") or "")
        comment = str(data.get(f"q{q.pk}_comment", "") or "")
        score: int | None = None
        text = ""
        if q.kind in SCORE_RANGE:
            if raw.strip():
                try:
                    score = int(raw.strip())
                except ValueError:
                    errors[f"q{q.pk}"] = ["Choose one of the options."]
                    continue
        else:
            text = raw
        answers[q.pk] = AnswerInput(score=score, text=text, comment=comment)
    return answers, errors
