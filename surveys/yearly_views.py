"""Year over year: the page comparing each dimension with the last survey (per segment, or for one account), and
the owner's decisions on the plans proposed for declines. Thin: scope, call surveys.yearly or surveys.proposals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account
from kernel.forms import beyond_64_bits
from surveys import policies, proposals, yearly
from surveys.models import DeclineProposal

PROPOSALS_SHOWN = 50


def _account(request: HttpRequest) -> Account | None:
    raw = request.GET.get("account", "")
    if not raw:
        return None
    if not raw.isdigit() or beyond_64_bits(raw):
        raise Http404("No such account.")
    account = Account.objects.visible_to(request.user).select_related("segment", "owner").filter(pk=int(raw)).first()
    if account is None:
        raise Http404("No such account, or not yours to see.")
    return account


def _proposal(request: HttpRequest, pk: int) -> DeclineProposal:
    proposal = yearly.proposals_for_user(user=request.user).filter(pk=pk).first()
    if proposal is None:
        raise Http404("No such proposal, or not yours to see.")
    return proposal


@login_required
def yoy_page(request: HttpRequest) -> HttpResponse:
    """Each dimension this survey against the last: for one account (`?account=`) with its proposed plans, or for
    all accounts and each segment, with the plans proposed to the viewer."""
    account = _account(request)
    context: dict[str, Any] = {"account": account}
    if account is not None:
        context["comparison"] = yearly.account_year_over_year(account=account)
        rows = list(yearly.proposals_for_user(user=request.user, account=account)[:PROPOSALS_SHOWN])
    else:
        context["segments"] = yearly.segments_year_over_year(user=request.user)
        context["comparison"] = context["segments"][0].comparison
        rows = list(
            yearly.proposals_for_user(user=request.user).filter(
                suggested_owner_id=request.user.pk, state=DeclineProposal.State.PROPOSED
            )[:PROPOSALS_SHOWN]
        )
    context["proposals"] = [(p, policies.can_decide_proposal(person=request.user, proposal=p)) for p in rows]
    return render(request, "surveys/yoy_detail.html", context)


@login_required
@require_POST
def proposal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a proposed plan: the plan is created (once, however often this is sent) and opened."""
    plan = proposals.accept_proposal(proposal=_proposal(request, pk), by=request.user, now=timezone.now())  # type: ignore[arg-type]
    return redirect("actionplans:detail", pk=plan.pk)


@login_required
def proposal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss a proposed plan, saying why: the reason is required and kept with the proposal."""
    proposal = _proposal(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            proposals.dismiss_proposal(proposal=proposal, by=request.user, reason=reason, now=timezone.now())  # type: ignore[arg-type]
        except ValidationError as refused:
            errors = [message for messages in refused.message_dict.values() for message in messages]
        else:
            return redirect(f"{reverse('yoy:page')}?account={proposal.account_id}")
    elif not policies.can_decide_proposal(person=request.user, proposal=proposal):
        raise PermissionDenied("Only the account's owner, its editors, executives and admins decide.")
    return render(
        request,
        "surveys/proposal_dismiss.html",
        {"proposal": proposal, "errors": errors, "reason": request.POST.get("reason", "")},
        status=400 if errors else 200,
    )
