"""Review pages: schedule one from the account, open its pack (live until it starts, frozen after), start it."""

from __future__ import annotations

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
from reviews.forms import ReviewForm
from reviews.models import AccountReview, ReviewState


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
    """The pack: built now for a scheduled review (as this viewer may see it), the frozen one once it started."""
    review = _review(request, pk)
    user = _user(request)
    if review.state == ReviewState.SCHEDULED:
        figures = pack.build_pack(account=review.account, viewer=user, since=review.since, until=timezone.now())
    else:
        figures = review.pack
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "account": review.account,
            "pack": figures,
            "frozen": review.state != ReviewState.SCHEDULED,
            "can_run": policies.can_run_review(person=user, review=review),
        },
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
