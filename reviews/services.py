"""Every write to joint account reviews: schedule one (and tell its attendees), start it (freezing its pack)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, CustomerContact
from kernel.dates import out_of_range
from organization import services as organization_services
from organization.models import User
from reviews import pack, policies
from reviews.models import OPEN_STATES, AccountReview, ReviewState


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
    return review


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
