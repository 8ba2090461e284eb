"""Account pages: thin views that scope with a selector, validate a form and call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts import actions, policies, selectors, services, timeline
from accounts.filters import AccountFilter
from accounts.forms import (
    AccountForm,
    ContactForm,
    OverrideForm,
    PrioritySettingsForm,
    ScoresForm,
    TeamMemberChangeForm,
    TeamMemberForm,
)
from accounts.models import Account, AccountTeamMember, CustomerContact, PriorityCriterion, Tier, TierRule
from kernel.dates import parse_moment
from kernel.versions import StaleVersion
from organization.models import User

PAGE_SIZE = 50
TIMELINE_PAGE = 20


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    return request.user


def _visible_account(request: HttpRequest, pk: int) -> Account:
    try:
        return selectors.account_detail_for_user(user=request.user, pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account") from None


def _editable_account(request: HttpRequest, pk: int) -> Account:
    account = _visible_account(request, pk)
    if not policies.can_edit_account(person=_user(request), account=account):
        raise PermissionDenied("Only the owner, editing team members and admins change this account.")
    return account


@login_required
@vary_on_headers("HX-Request")
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = AccountFilter(request.GET or None, queryset=selectors.accounts_for_user(user=request.user))
    page = Paginator(accounts.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "accounts/account_list.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "account-rows":
        template += "#account-rows"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "filter": accounts,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "can_create": policies.can_create_account(person=_user(request)),
            "can_change_priority_settings": policies.can_change_priority_settings(person=_user(request)),
            "can_import": policies.can_import_accounts(person=_user(request)),
            "tier_counts": selectors.tier_counts(user=request.user),
        },
    )


@login_required
@vary_on_headers("HX-Request")
def call_next(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    accounts = selectors.call_next_for_user(user=request.user, today=today)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))  # one person's accounts: exact count
    template = "accounts/call_next.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "call-next-rows":
        template += "#call-next-rows"
    return render(request, template, {"page": page, "query": "", "today": today})


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _visible_account(request, pk)
    user = _user(request)
    entries = timeline.account_timeline(account=account, user=request.user, limit=TIMELINE_PAGE)
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "breakdown": selectors.score_breakdown(account=account),
            "history": selectors.priority_history(account=account),
            "timeline": entries,
            "timeline_kinds": timeline.kinds(),
            "timeline_more": len(entries) == TIMELINE_PAGE,
            "edits": account.history.select_related("history_user")[:10],
            "cadence_days": selectors.cadence_days()[account.tier],
            "health_trend": selectors.health_trend(account=account, today=timezone.localdate()),
            "months": [first.strftime("%b %Y") for first in selectors.month_starts(timezone.localdate())],
            "today": timezone.localdate(),
            "can_edit": policies.can_edit_account(person=user, account=account),
            "can_score": policies.can_score_account(person=user, account=account),
            "can_override": policies.can_override_tier(person=user),
            **_team_context(account, user),
            "header_actions": actions.header.actions(account, user),
            "timeline_actions": actions.timeline.actions(account, user),
            "override_form": OverrideForm(
                initial={
                    "tier": account.tier_override,
                    "reason": account.tier_override_reason,
                    "expires_on": account.tier_override_expires_on,
                }
            ),
        },
    )


@login_required
def account_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline fragment: newest first, "load more" pages with ?before=<timestamp>, filters by kind."""
    account = _visible_account(request, pk)
    try:
        before = parse_moment(request.GET["before"]) if request.GET.get("before") else None
    except ValueError as exc:  # an impossible date or one out of range: a 400 page that says so, not a 500
        raise BadRequest(f"The timeline pages by ?before=, a date and time: {exc}") from None
    only = set(request.GET.getlist("kind")) or None
    entries = timeline.account_timeline(
        account=account, user=request.user, before=before, limit=TIMELINE_PAGE, only=only
    )
    return render(
        request,
        "accounts/_timeline.html",
        {
            "account": account,
            "entries": entries,
            "more": len(entries) == TIMELINE_PAGE,
            "kinds": timeline.kinds(),
            "only": only or set(),
            "append": before is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policies.can_create_account(person=user):
        raise PermissionDenied("Account managers, department leads, executives and admins add accounts.")
    form = AccountForm(request.POST or None, initial={"owner": user})
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            account = services.create_account(created_by=user, now=timezone.now(), **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{account.name} added at rank {account.rank}.")
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/account_form.html", {"form": form, "title": "New account"})


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _editable_account(request, pk)
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            account = services.update_account(
                account=account,
                changed_by=_user(request),
                now=timezone.now(),
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        except StaleVersion as exc:
            form.add_error(None, f"{exc} Reload the page to see their changes, then edit again.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{account.name} saved.")
            return redirect("accounts:detail", pk=account.pk)
    return render(
        request, "accounts/account_form.html", {"form": form, "title": f"Edit {account.name}", "account": account}
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_scores(request: HttpRequest, pk: int) -> HttpResponse:
    account = _visible_account(request, pk)
    user = _user(request)
    if not policies.can_score_account(person=user, account=account):
        raise PermissionDenied("Only the account's editors and executives score it.")
    criteria = list(PriorityCriterion.objects.filter(is_active=True))
    form = ScoresForm(
        request.POST or None, criteria=criteria, values={s.criterion_id: s.value for s in account.scores.all()}
    )
    if request.method == "POST" and form.is_valid():
        account = services.set_account_scores(
            account=account, scores=form.scores(), changed_by=user, now=timezone.now()
        )
        messages.success(
            request, f"Scores saved: {account.name} is now rank {account.rank}, {account.get_tier_display()}."
        )
        return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/account_scores.html", {"form": form, "account": account})


@login_required
@require_http_methods(["POST"])
def account_override(request: HttpRequest, pk: int) -> HttpResponse:
    account = _visible_account(request, pk)
    user = _user(request)
    if not policies.can_override_tier(person=user):
        raise PermissionDenied("Only executives and admins set a manual tier.")
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_tier(
                account=account,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["reason"] or "",
                expires_on=form.cleaned_data["expires_on"],
                changed_by=user,
                now=timezone.now(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Tier override saved.")
    else:
        for error_list in form.errors.values():
            for error in error_list:
                messages.error(request, str(error))
    return redirect("accounts:detail", pk=account.pk)


def _team_context(account: Account, user: User, form: TeamMemberForm | None = None) -> dict[str, Any]:
    may_manage = policies.can_manage_team(person=user, account=account)
    return {
        "team": list(account.team_members.all()),
        "team_changes": selectors.team_changes(account=account),
        "can_manage_team": may_manage,
        "team_form": (form or TeamMemberForm(account=account)) if may_manage else None,
        "team_roles": AccountTeamMember._meta.get_field("role").choices,
    }


def _team_response(request: HttpRequest, account: Account, form: TeamMemberForm | None = None) -> HttpResponse:
    """htmx: the team section again (with the form's errors); otherwise back to the account page."""
    if not request.headers.get("HX-Request"):
        if form is not None and form.errors:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("accounts:detail", pk=account.pk)
    fresh = selectors.account_detail_for_user(user=request.user, pk=account.pk)
    context = {"account": fresh, **_team_context(fresh, _user(request), form)}
    return render(request, "accounts/_account_team.html", context, status=400 if form and form.errors else 200)


def _team_account(request: HttpRequest, pk: int) -> Account:
    account = _visible_account(request, pk)
    if not policies.can_manage_team(person=_user(request), account=account):
        raise PermissionDenied("Only the owner, team members who may edit, and admins change this account's team.")
    return account


@login_required
@require_http_methods(["POST"])
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = _team_account(request, pk)
    form = TeamMemberForm(request.POST, account=account)
    if form.is_valid():
        try:
            member = services.add_team_member(account=account, added_by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not request.headers.get("HX-Request"):
                messages.success(request, f"{member.user.full_name} joined the team as {member.get_role_display()}.")
            return _team_response(request, account)
    return _team_response(request, account, form)


@login_required
@require_http_methods(["POST"])
def team_member_change(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    account = _team_account(request, pk)
    member = get_object_or_404(
        AccountTeamMember.objects.select_related("account", "user"), pk=member_pk, account=account
    )
    form = TeamMemberChangeForm(request.POST)
    if not form.is_valid():
        raise BadRequest(" ".join(str(e) for errors in form.errors.values() for e in errors))
    services.change_team_member(member=member, changed_by=_user(request), **form.cleaned_data)
    return _team_response(request, account)


@login_required
@require_http_methods(["POST"])
def team_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    account = _team_account(request, pk)
    member = get_object_or_404(
        AccountTeamMember.objects.select_related("account", "user"), pk=member_pk, account=account
    )
    services.remove_team_member(member=member, removed_by=_user(request))
    if not request.headers.get("HX-Request"):
        messages.success(request, f"{member.user.full_name} left the team.")
    return _team_response(request, account)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = _editable_account(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.save_contact(account=account, **form.cleaned_data)
        messages.success(request, f"{form.cleaned_data['name']} added to {account.name}.")
        return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/contact_form.html", {"form": form, "account": account, "title": "New contact"})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    account = _editable_account(request, pk)
    contact = get_object_or_404(CustomerContact, pk=contact_pk, account=account)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.save_contact(account=account, contact=contact, **form.cleaned_data)
        messages.success(request, f"{contact.name} saved.")
        return redirect("accounts:detail", pk=account.pk)
    return render(
        request, "accounts/contact_form.html", {"form": form, "account": account, "title": f"Edit {contact.name}"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_settings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policies.can_change_priority_settings(person=user):
        raise PermissionDenied("Only executives and admins change priority settings.")
    criteria = list(PriorityCriterion.objects.filter(is_active=True))
    rules = list(TierRule.objects.order_by("tier"))
    form = PrioritySettingsForm(request.POST or None, criteria=criteria, rules=rules)
    context: dict[str, Any] = {"form": form, "criteria": criteria, "rules": rules, "tiers": Tier}
    if request.method == "POST" and form.is_valid():
        if "save" in request.POST:
            services.update_priority_settings(
                weights=form.weights(), rules=form.tier_rules(), changed_by=user, now=timezone.now()
            )
            messages.success(request, "Priority settings saved; every account has been re-ranked.")
            return redirect("accounts:list")
        moves = selectors.preview_tier_moves(weights=form.weights(), min_scores=form.min_scores(), user=user)
        context["moves"] = sorted(
            ((Tier(old).label, Tier(new).label, n) for (old, new), n in moves.items()), key=lambda m: -m[2]
        )
        context["moved_total"] = sum(moves.values())
        context["previewed"] = True
    template = "accounts/priority_settings.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "preview":
        template += "#preview"
    return render(request, template, context)
