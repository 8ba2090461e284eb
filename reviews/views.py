"""Review pages: schedule one from the account, open its pack (live until it starts, frozen after), start it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts.models import Account
from organization.models import User
from reviews import pack, policies, selectors, services
from reviews.forms import DecisionForm, MinutesForm, ReviewForm
from reviews.models import AGENDA, AccountReview, ReviewDecision, ReviewState


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    return request.user


def _review(request: HttpRequest, pk: int) -> AccountReview:
    try:
        return selectors.review_for_user(user=request.user, pk=pk)
    except AccountReview.DoesNotExist:
        raise Http404("No such review") from None


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, account_pk: int) -> HttpResponse:
    try:
        account = account_selectors.account_detail_for_user(user=request.user, pk=account_pk)
    except Account.DoesNotExist:
        raise Http404("No such account") from None
    if not policies.can_schedule_review(person=_user(request), account=account):
        raise PermissionDenied("Only the owner, team members who may edit, admins and executives schedule reviews.")
    form = ReviewForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.schedule_review(
                account=account, scheduled_by=_user(request), now=timezone.now(), **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Review of {account.name} scheduled; the attendees were told.")
            return redirect("reviews:detail", pk=review.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/review_form.html", {"form": form, "account": account}, status=status)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _review(request, pk))


def _detail(
    request: HttpRequest,
    review: AccountReview,
    *,
    minutes_form: MinutesForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The pack: built now for a scheduled review (as this viewer may see it), the frozen one once it started;
    then the minutes and decisions, with their forms for those who run the review."""
    user = _user(request)
    if review.state == ReviewState.SCHEDULED:
        figures = pack.build_pack(account=review.account, viewer=user, since=review.since, until=timezone.now())
    else:
        figures = review.pack
    can_run = policies.can_run_review(person=user, review=review)
    started = review.state != ReviewState.SCHEDULED
    if can_run and started and minutes_form is None:
        minutes_form = MinutesForm(
            review=review,
            initial={
                "present_internal": list(review.present_internal.all()),
                "present_customers": list(review.present_customers.all()),
                **{f"note_{key}": review.notes.get(key, "") for key, _ in AGENDA},
            },
        )
    if can_run and started and decision_form is None:
        decision_form = DecisionForm(initial={"department": getattr(user, "department", None)})
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "account": review.account,
            "pack": figures,
            "frozen": started,
            "can_run": can_run,
            "agenda_notes": [(label, review.notes.get(key, "")) for key, label in AGENDA],
            "decisions": selectors.decisions_of(review=review, user=user),
            "minutes_form": minutes_form if can_run and started else None,
            "decision_form": decision_form if can_run and started else None,
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if not policies.can_run_review(person=_user(request), review=review):
        raise PermissionDenied("Only the owner, team members who may edit, admins and executives run reviews.")
    services.start_review(review=review, started_by=_user(request), now=timezone.now())
    messages.success(request, "Review started: the pack is frozen, so everyone discusses the same figures.")
    return redirect("reviews:detail", pk=review.pk)


def _runnable(request: HttpRequest, pk: int) -> AccountReview:
    review = _review(request, pk)
    if not policies.can_run_review(person=_user(request), review=review):
        raise PermissionDenied("Only the owner, team members who may edit, admins and executives run reviews.")
    return review


def _form_errors(form: Any, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["POST"])
def review_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    review = _runnable(request, pk)
    form = MinutesForm(request.POST, review=review)
    if form.is_valid():
        try:
            services.record_minutes(
                review=review,
                recorded_by=_user(request),
                present_internal=form.cleaned_data["present_internal"],
                present_customers=form.cleaned_data["present_customers"],
                notes=form.notes(),
                complete=form.cleaned_data["complete"],
                now=timezone.now(),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Minutes saved.")
            return redirect("reviews:detail", pk=review.pk)
    return _detail(request, review, minutes_form=form, status=400)


@login_required
@require_http_methods(["POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = _runnable(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.add_decision(review=review, decided_by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("reviews:detail", pk=review.pk)
    return _detail(request, review, decision_form=form, status=400)


@login_required
@require_http_methods(["POST"])
def decision_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Make a plan": twice clicked, still one plan."""
    try:
        decision = ReviewDecision.objects.visible_to(request.user).select_related("review__account").get(pk=pk)
    except ReviewDecision.DoesNotExist:
        raise Http404("No such decision") from None
    if not policies.can_run_review(person=_user(request), review=decision.review):
        raise PermissionDenied("Only the owner, team members who may edit, admins and executives run reviews.")
    try:
        plan = services.make_plan_for_decision(decision=decision, by=_user(request), now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for ms in error.message_dict.values() for m in ms))
        return redirect("reviews:detail", pk=decision.review_id)
    messages.success(request, f"Plan “{plan.title}” made for {plan.owner.full_name}.")
    return redirect("reviews:detail", pk=decision.review_id)


@login_required
@require_http_methods(["POST"])
def review_send_summary(request: HttpRequest, pk: int) -> HttpResponse:
    review = _runnable(request, pk)
    try:
        sent = services.send_customer_summary(review=review, sent_by=_user(request), now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for ms in error.message_dict.values() for m in ms))
    else:
        messages.success(request, f"Summary sent to {sent} of the customer's attendees." if sent else "Sent already.")
    return redirect("reviews:detail", pk=review.pk)
