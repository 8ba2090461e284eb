"""Every write to joint account reviews: schedule one (and tell its attendees), start it (freezing its pack)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import policies as account_policies
from accounts.models import Account, CustomerContact
from actionplans import policies as plan_policies
from actionplans import services as plan_services
from actionplans.models import ActionPlan
from kernel.dates import out_of_range
from organization import services as organization_services
from organization.models import Department, User, WebhookEvent
from organization.webhooks import services as webhooks
from reviews import pack, policies
from reviews.models import AGENDA, OPEN_STATES, AccountReview, ReviewDecision, ReviewState


def last_completed_at(*, account: Account) -> datetime | None:
    return (
        AccountReview.objects.filter(account=account)
        .completed()
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )


@transaction.atomic
def schedule_review(
    *,
    account: Account,
    scheduled_for: datetime,
    internal_attendees: Iterable[User],
    customer_attendees: Iterable[CustomerContact],
    scheduled_by: User,
    now: datetime,
) -> AccountReview:
    """A joint review of `account`: its pack covers everything since the last completed review. The attendees
    who may open the account are told, with a link, once the review is saved."""
    if not policies.can_schedule_review(person=scheduled_by, account=account):
        raise PermissionDenied("Only the owner, team members who may edit, admins and executives schedule reviews.")
    Account.objects.select_for_update().filter(pk=account.pk).first()  # one open review per account, cleanly
    people = list(internal_attendees)
    contacts = list(customer_attendees)
    errors: dict[str, list[str]] = {}
    problem = out_of_range(scheduled_for, today=timezone.localdate(now))
    if problem:
        errors["scheduled_for"] = [problem]
    if any(contact.account_id != account.pk for contact in contacts):
        errors["customer_attendees"] = ["Choose the customer's attendees among this account's contacts."]
    if any(not person.is_active for person in people):
        errors["internal_attendees"] = ["Choose active people."]
    if AccountReview.objects.filter(account=account, state__in=OPEN_STATES).exists():
        errors["scheduled_for"] = [*errors.get("scheduled_for", []), "This account has a review open already."]
    if errors:
        raise ValidationError(errors)
    review = AccountReview(
        account=account,
        scheduled_for=scheduled_for,
        created_by=scheduled_by,
        since=last_completed_at(account=account),
    )
    review.full_clean(validate_constraints=False)
    review.save()
    review.internal_attendees.set(people)
    review.customer_attendees.set(contacts)
    told = [p for p in policies.attendees_to_tell(review=review, candidates=people) if p.pk != scheduled_by.pk]
    url = reverse("reviews:detail", args=[review.pk])
    when = timezone.localtime(scheduled_for).strftime("%-d %b %Y %H:%M")
    # Written with the review, in its transaction (the bell and the email digest read these rows).
    organization_services.notify(
        users=told,
        kind="review.scheduled",
        title=f"Joint review of {account.name} on {when}",
        body=f"{scheduled_by.full_name} invited you; the pack is ready to read.",
        url=url,
        dedupe_key=f"review:{review.pk}:scheduled",
    )
    _emit(review, WebhookEvent.REVIEW_SCHEDULED, now)
    return review


def _emit(review: AccountReview, event: str, now: datetime) -> None:
    """Tell subscribed systems, in the review's transaction (the outbox), never of a confidential account; the
    event id is the review's and the event's, so repeating it sends nothing twice."""
    if not account_policies.systems_may_learn_of(account=review.account):
        return
    payload = {
        "review": review.pk,
        "account": review.account_id,
        "scheduled_for": review.scheduled_for,
        "state": review.state,
        "completed_at": review.completed_at,
    }
    webhooks.emit(
        event=event, payload=payload, now=now, event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"review:{review.pk}:{event}")
    )


@transaction.atomic
def start_review(*, review: AccountReview, started_by: User, now: datetime) -> AccountReview:
    """Start the meeting: the pack is built now and frozen, so everyone discusses the same figures and a later
    issue or plan does not change it. Starting twice changes nothing (the first start wins)."""
    if not policies.can_run_review(person=started_by, review=review):
        raise PermissionDenied("Only the owner, team members who may edit, admins and executives run reviews.")
    frozen = pack.build_pack(account=review.account, viewer=started_by, since=review.since, until=now)
    AccountReview.objects.filter(pk=review.pk, state=ReviewState.SCHEDULED).update(
        state=ReviewState.STARTED, started_at=now, pack=frozen, updated_at=now
    )
    review.refresh_from_db()
    return review


def _check_may_run(review: AccountReview, person: User) -> None:
    if not policies.can_run_review(person=person, review=review):
        raise PermissionDenied("Only the owner, team members who may edit, admins and executives run reviews.")


@transaction.atomic
def record_minutes(
    *,
    review: AccountReview,
    recorded_by: User,
    present_internal: Iterable[User],
    present_customers: Iterable[CustomerContact],
    notes: dict[str, str],
    complete: bool,
    now: datetime,
) -> AccountReview:
    """Attendance and a note per agenda item, during or after the meeting (a review not yet started starts now,
    freezing its pack); `complete` closes it: the next review's pack starts from here."""
    _check_may_run(review, recorded_by)
    if review.state == ReviewState.SCHEDULED:
        review = start_review(review=review, started_by=recorded_by, now=now)
    contacts = list(present_customers)
    if any(contact.account_id != review.account_id for contact in contacts):
        raise ValidationError({"present_customers": ["Choose among this account's contacts."]})
    unknown = set(notes) - {key for key, _ in AGENDA}
    if unknown:
        raise ValidationError({"notes": [f"Unknown agenda items: {', '.join(sorted(unknown))}."]})
    review.notes = {key: text.strip() for key, text in notes.items() if text.strip()}
    completing = complete and review.state != ReviewState.COMPLETED
    if completing:
        review.state = ReviewState.COMPLETED
        review.completed_at = now
    review.full_clean(validate_constraints=False)
    review.save()
    if completing:
        _emit(review, WebhookEvent.REVIEW_COMPLETED, now)
    review.present_internal.set(list(present_internal))
    review.present_customers.set(contacts)
    return review


@transaction.atomic
def add_decision(
    *, review: AccountReview, text: str, owner: User, department: Department, promise_on: date, decided_by: User
) -> ReviewDecision:
    _check_may_run(review, decided_by)
    if review.state == ReviewState.SCHEDULED:
        raise ValidationError({"text": ["Start the review before recording its decisions."]})
    errors: dict[str, list[str]] = {}
    if not plan_policies.may_own_plan(user=owner, account=review.account):
        errors["owner"] = ["Give the decision to someone who may open the account."]
    if promise_on < timezone.localdate() or out_of_range(promise_on, today=timezone.localdate()):
        errors["promise_on"] = ["Promise a date from today to five years ahead."]
    if errors:
        raise ValidationError(errors)
    decision = ReviewDecision(
        review=review,
        text=text.strip(),
        owner=owner,
        department=department,
        promise_on=promise_on,
        created_by=decided_by,
    )
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def make_plan_for_decision(*, decision: ReviewDecision, by: User, now: datetime) -> ActionPlan:
    """The decision becomes an action plan (its owner, department and promise date), linked back to the review.
    Once: the decision's row is locked while this is decided, and a second click returns the first plan."""
    _check_may_run(decision.review, by)
    locked = ReviewDecision.objects.select_for_update().get(pk=decision.pk)
    if locked.plan_id is not None:
        return ActionPlan.objects.get(pk=locked.plan_id)
    plan = plan_services.create_plan(
        account=decision.review.account,
        title=f"{decision.text} (joint review {timezone.localdate(decision.review.scheduled_for):%d %b %Y})"[:200],
        owner=locked.owner,
        department=locked.department,
        due_on=locked.promise_on,
        promise_on=locked.promise_on,
        created_by=by,
        now=now,
    )
    ReviewDecision.objects.filter(pk=locked.pk, plan__isnull=True).update(plan=plan)
    decision.plan = plan
    return plan


def customer_summary(*, review: AccountReview) -> str:
    """The one page the customer reads: our decisions and the dates we promise, nothing else of the account."""
    lines = [
        f"Thank you for the joint review on {timezone.localtime(review.scheduled_for):%d %B %Y}.",
        "",
        "What we decided, and by when we promise it:",
    ]
    for decision in review.decisions.select_related("owner").order_by("id"):
        lines.append(f"- {decision.text} ({decision.owner.full_name}), by {decision.promise_on:%d %B %Y}")
    lines += ["", f"{review.account.owner.full_name}, for the whole team"]
    return "\n".join(lines)


@transaction.atomic
def send_customer_summary(*, review: AccountReview, sent_by: User, now: datetime) -> int:
    """Email the summary to the customer's attendees who have an address, once (the first sender claims it with a
    conditional update; a second click sends nothing). Returns how many it went to."""
    _check_may_run(review, sent_by)
    if review.state != ReviewState.COMPLETED:
        raise ValidationError({"review": ["Complete the review before sending its summary."]})
    addresses = [c.email for c in review.customer_attendees.filter(is_active=True).exclude(email="")]
    if not addresses:
        raise ValidationError({"review": ["None of the customer's attendees has an email address."]})
    if not AccountReview.objects.filter(pk=review.pk, summary_sent_at=None).update(summary_sent_at=now):
        return 0
    message = EmailMessage(
        subject=f"Our joint review: decisions and dates ({review.account.name})",
        body=customer_summary(review=review),
        to=addresses,
    )
    transaction.on_commit(lambda: message.send())
    review.summary_sent_at = now
    return len(addresses)
