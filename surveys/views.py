"""Survey pages: the campaigns (for people signed in) and the public page a private link opens (for customers)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from redis.exceptions import RedisError

from kernel import caching
from organization.models import User
from surveys import policies, selectors, services
from surveys.forms import CampaignForm
from surveys.models import SCORE_RANGE, TEXT_KINDS, QuestionKind, SurveyCampaign, SurveyInvitation, SurveyResponse

logger = logging.getLogger(__name__)
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    return request.user


# --- Campaigns ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.campaigns_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/campaign_list.html",
        {"page": page, "query": "", "can_start": policies.can_start_campaign(person=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policies.can_start_campaign(person=user):
        raise PermissionDenied("Only admins and account managers start survey campaigns.")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.start_campaign(by=user, now=timezone.now(), **form.service_arguments())
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"“{campaign.name}” is on its way to {campaign.invitations.count()} contacts.")
            return redirect("surveys:detail", campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/campaign_form.html", {"form": form}, status=status)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        campaign = selectors.campaign_for_user(user=request.user, pk=pk)
    except SurveyCampaign.DoesNotExist:
        raise Http404("No such campaign") from None
    invitations = selectors.invitations_for_user(user=request.user, campaign=campaign)
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    user = _user(request)
    revocable = {i.pk for i in page if policies.can_revoke_invitation(person=user, invitation=_with(i, campaign))}
    return render(
        request,
        "surveys/campaign_detail.html",
        {"campaign": campaign, "page": page, "query": "", "revocable": revocable},
    )


def _with(invitation: SurveyInvitation, campaign: SurveyCampaign) -> SurveyInvitation:
    invitation.campaign = campaign  # read once for the page, not once per row
    return invitation


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invitation = selectors.invitation_for_user(user=request.user, pk=pk)
    except SurveyInvitation.DoesNotExist:
        raise Http404("No such invitation") from None
    services.revoke_invitation(invitation=invitation, by=_user(request), now=timezone.now())
    messages.success(request, f"The link sent to {invitation.contact.name} no longer works.")
    return redirect("surveys:detail", invitation.campaign_id)


@login_required
@require_GET
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = (
        SurveyResponse.objects.visible_to(request.user)
        .submitted()
        .select_related("account", "contact", "campaign")
        .filter(pk=pk)
        .first()
    )
    if response is None:
        raise Http404("No such response")
    answers = response.answers.select_related("question", "issue__department").order_by("question__position")
    return render(request, "surveys/response_detail.html", {"response": response, "answers": answers})


# --- The public page ---------------------------------------------------------------------------------------------


def _over_rate(request: HttpRequest) -> bool:
    """SURVEY_LINK_RATE requests a minute per address (a fixed window in the cache): guessing links is slow.
    An unreachable cache lets the request through, as the API throttle does."""
    address = request.META.get("REMOTE_ADDR", "unknown")
    try:
        count, _ = caching.count_in_window(f"survey-link:{address}", 60)
    except (RedisError, OSError) as exc:
        logger.warning("Survey link throttle unavailable, request allowed: %s", exc)
        return False
    return count > settings.SURVEY_LINK_RATE


def _unusable(request: HttpRequest) -> HttpResponse:
    """Every bad link (expired, answered, revoked, tampered, unknown) gets this same page and status."""
    return render(request, "surveys/link_unusable.html", status=404)


def _public(view: Any) -> Any:
    """No login; never cached; rate-limited; and one answer for every link that does not work."""

    @never_cache
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        if _over_rate(request):
            response = render(request, "surveys/link_rate_limited.html", status=429)
            response["Retry-After"] = "60"
            return response
        now = timezone.now()
        invitation = selectors.live_invitation(token=token, now=now)
        if invitation is None:
            return _unusable(request)
        answered: HttpResponse = view(request, invitation, token, now)
        answered["X-Robots-Tag"] = "noindex, nofollow"
        return answered

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@dataclass(frozen=True)
class Row:
    question: Any
    value: str
    comment: str
    errors: list[str]
    choices: list[tuple[str, str]]
    is_text: bool


def _choices(kind: str) -> list[tuple[str, str]]:
    if kind in {QuestionKind.CHOOSE_AGAIN, QuestionKind.YES_NO}:
        return [("1", "Yes"), ("0", "No")]
    if kind in SCORE_RANGE:
        low, high = SCORE_RANGE[kind]
        return [(str(n), str(n)) for n in range(low, high + 1)]
    return []


def _rows(questions: list[Any], values: dict[int, tuple[str, str]], errors: dict[str, list[str]]) -> list[Row]:
    return [
        Row(
            question=q,
            value=values.get(q.pk, ("", ""))[0],
            comment=values.get(q.pk, ("", ""))[1],
            errors=errors.get(f"q{q.pk}", []),
            choices=_choices(q.kind),
            is_text=q.kind in TEXT_KINDS,
        )
        for q in questions
    ]


@_public
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, invitation: SurveyInvitation, token: str, now: Any) -> HttpResponse:
    """The survey a private link opens: our wording, the account's name, the questions, what was saved so far."""
    questions = selectors.questions(version_id=invitation.campaign.version_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        answers, errors = services.parse_answers(request.POST, questions)
        if not errors:
            try:
                services.save_answers(invitation=invitation, answers=answers, submit=submit, now=now)
            except services.LinkNotUsable:
                return _unusable(request)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                if submit:
                    return render(request, "surveys/survey_thanks.html", {"invitation": invitation})
                if request.headers.get("HX-Request"):
                    return render(request, "surveys/survey_answer.html#save-status", {"saved_at": now})
                messages.success(request, "Saved. You can finish later with the same link.")
                return redirect("survey_link:answer", token)
        if request.headers.get("HX-Request"):
            return render(request, "surveys/survey_answer.html#save-status", {"not_saved": True})
        values = {
            q.pk: (str(request.POST.get(f"q{q.pk}", "")), str(request.POST.get(f"q{q.pk}_comment", "")))
            for q in questions
        }
        status = 400
    else:
        services.mark_opened(invitation=invitation, now=now)
        saved = selectors.saved_answers(response=selectors.response_of(invitation=invitation))
        values = {pk: (a.text if a.score is None else str(a.score), a.comment) for pk, a in saved.items()}
    answered = sum(1 for value, _ in values.values() if value)
    return render(
        request,
        "surveys/survey_answer.html",
        {
            "invitation": invitation,
            "template": invitation.campaign.version.template,
            "rows": _rows(questions, values, errors),
            "token": token,
            "answered": answered,
            "total": len(questions),
            "has_errors": bool(errors),
        },
        status=status,
    )


@_public
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, invitation: SurveyInvitation, token: str, now: Any) -> HttpResponse:
    """No more surveys for this contact: asked once more, then recorded."""
    if request.method == "POST":
        services.opt_out(invitation=invitation, now=now)
        return render(request, "surveys/opt_out_done.html", {"invitation": invitation})
    return render(request, "surveys/opt_out_confirm.html", {"invitation": invitation, "token": token})
