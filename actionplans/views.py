"""Plan pages: thin views that scope with a selector, validate a form and call one service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import selectors as account_selectors
from actionplans import policies, selectors, services
from actionplans.forms import PlanCreateForm, PlanEditForm, PlanFilter, PlanStatusForm
from actionplans.models import ActionPlan, Escalation, PlanStep, promise_broken, promise_kept
from feedback import selectors as feedback_selectors
from feedback.models import IssueStatus
from kernel.versions import StaleVersion
from organization.models import User

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    return request.user


def _visible_plan(request: HttpRequest, pk: int) -> ActionPlan:
    try:
        return selectors.plan_detail_for_user(user=request.user, pk=pk)
    except ActionPlan.DoesNotExist:
        raise Http404("No such plan") from None


def _changeable_plan(request: HttpRequest, pk: int) -> ActionPlan:
    plan = _visible_plan(request, pk)
    if not policies.can_change_plan(person=_user(request), plan=plan):
        raise PermissionDenied("Only the owner, the department lead, executives and admins change a plan.")
    return plan


def _add_service_errors(form: Form, exc: ValidationError | StaleVersion) -> None:
    """Put a service's refusal next to the field it concerns, or above the form."""
    if isinstance(exc, StaleVersion):
        form.add_error(None, f"{exc} Reload the page to see their changes, then try again.")
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@vary_on_headers("HX-Request")
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = PlanFilter(request.GET, queryset=selectors.plans_for_user(user=request.user))
    page = Paginator(plans.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "actionplans/plan_list.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "plan-rows":
        template += "#plan-rows"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "filter": plans,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "can_start_plans": policies.can_start_any_plan(person=request.user),
        },
    )


@login_required
def my_plans(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    owed = selectors.what_i_owe(user=request.user, today=today)
    return render(request, "actionplans/plan_mine.html", {"owed": owed, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    """A plan from anywhere: the account page, the plan list or a conversation (?account=, ?log= prefill it)."""
    user = _user(request)
    accounts = account_selectors.accounts_for_user(user=user)
    initial: dict[str, Any] = {
        "owner": user.pk,
        "department": user.department_id,
        "due_on": timezone.localdate() + timedelta(days=7),
    }
    if (account_id := request.GET.get("account", "")).isdigit():
        initial["account"] = accounts.filter(pk=int(account_id)).values_list("pk", flat=True).first()
    if (log_id := request.GET.get("log", "")).isdigit():
        log = feedback_selectors.contact_logs_for_user(user=user).filter(pk=int(log_id)).first()
        if log is not None:
            initial |= {"account": log.account_id, "title": services.title_from(log.summary)}
    form = PlanCreateForm(request.POST or None, initial=initial, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.create_plan(
                account=data["account"],
                title=data["title"],
                owner=data["owner"],
                department=data["department"],
                due_on=data["due_on"],
                promise_on=data["promise_on"],
                steps=[services.StepInput(title=title) for title in form.step_titles()],
                created_by=user,
                now=timezone.now(),
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))  # the choice of owner or department: correctable on the form
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Plan created for {plan.account.name}.")
            return redirect("actionplans:detail", pk=plan.pk)
    return render(request, "actionplans/plan_new.html", {"form": form})


@login_required
@require_POST
def plan_from_issue(request: HttpRequest, issue_pk: int) -> HttpResponse:
    """One click from the inbox or the issue page: the plan exists, with the issue's words and the complaint
    steps; the second click sets the promise date on the plan page."""
    user = _user(request)
    issue = feedback_selectors.issues_for_user(user=user).filter(pk=issue_pk).first()
    if issue is None:
        raise Http404("No such issue")
    if not policies.can_plan_for_issue(person=user, issue=issue):
        raise PermissionDenied(f"Only {issue.department.name} plans for its issues.")
    existing = selectors.plan_for_issue(issue=issue)
    if existing is not None:  # a second click: one plan per issue (the service also decides it under a lock)
        messages.info(request, "This issue already has a plan.")
        return redirect("actionplans:detail", pk=existing.pk)
    if issue.status in {IssueStatus.RESOLVED, IssueStatus.CLOSED}:
        messages.error(request, "This issue is already resolved.")
        return redirect("feedback:issue-detail", pk=issue.pk)
    plan = services.create_plan_from_issue(issue=issue, by=user, now=timezone.now())
    messages.success(request, "Plan created. Set the date you promise the customer.")
    return redirect("actionplans:detail", pk=plan.pk)


def _detail_context(request: HttpRequest, plan: ActionPlan, **forms: Form) -> dict[str, Any]:
    user = _user(request)
    now = timezone.now()
    can_change = policies.can_change_plan(person=user, plan=plan)
    escalations = list(plan.escalations.all())
    cal = selectors.business_calendar()
    return {
        "plan": plan,
        "now": now,
        "today": timezone.localdate(now),
        "clock": selectors.sla_clock(plan=plan, now=now, cal=cal),
        "promise_kept": promise_kept(plan, cal),
        "promise_broken": promise_broken(plan, cal, now=now),
        "can_change": can_change,
        "edit_form": forms.get("edit_form") or PlanEditForm.for_plan(plan),
        "status_form": forms.get("status_form") or PlanStatusForm.for_plan(plan),
        "escalations": escalations,
        "acknowledgeable": {
            e.pk
            for e in escalations
            if e.acknowledged_at is None and policies.can_acknowledge_escalation(person=user, escalation=e)
        },
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    return render(request, "actionplans/plan_detail.html", _detail_context(request, plan))


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _changeable_plan(request, pk)
    form = PlanEditForm.for_plan(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = form.changes(plan)
        try:
            services.update_plan(
                plan=plan,
                by=_user(request),
                now=timezone.now(),
                expected_version=form.cleaned_data["version"],
                **changes,
            )
        except (ValidationError, StaleVersion) as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, "Plan saved." if changes else "Nothing changed.")
            return redirect("actionplans:detail", pk=plan.pk)
    return render(request, "actionplans/plan_form.html", {"plan": plan, "form": form})


@login_required
@require_POST
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _changeable_plan(request, pk)
    form = PlanStatusForm.for_plan(plan, request.POST)
    if form.is_valid():
        try:
            plan = services.change_status(
                plan=plan,
                status=form.cleaned_data["status"],
                by=_user(request),
                now=timezone.now(),
                resolution=form.cleaned_data["resolution"],
                confirmation=form.cleaned_data["confirmation"],
                expected_version=form.cleaned_data["version"],
            )
        except (ValidationError, StaleVersion) as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Status: {plan.get_status_display()}.")
            return redirect("actionplans:detail", pk=plan.pk)
    context = _detail_context(request, plan, status_form=form)
    return render(request, "actionplans/plan_detail.html", context)


@login_required
@require_POST
def step_toggle(request: HttpRequest, step_pk: int) -> HttpResponse:
    """Tick a step off, or back on. The form says which, so a repeated request does the same thing."""
    try:
        step = selectors.step_for_user(user=request.user, pk=step_pk)
    except PlanStep.DoesNotExist:
        raise Http404("No such step") from None
    user = _user(request)
    done = request.POST.get("done", "1" if step.done_at is None else "0") == "1"
    step = services.complete_step(step=step, by=user, now=timezone.now(), done=done)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "actionplans/plan_detail.html#step-row",
            {"step": step, "can_change": True, "today": timezone.localdate()},  # the service let them
        )
    messages.success(request, f"“{step.title}” {'done' if done else 'reopened'}.")
    return redirect("actionplans:detail", pk=step.plan_id)


@login_required
@require_POST
def escalation_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        escalation = selectors.escalation_for_user(user=request.user, pk=pk)
    except Escalation.DoesNotExist:
        raise Http404("No such escalation") from None
    services.acknowledge_escalation(escalation=escalation, by=_user(request), now=timezone.now())
    messages.success(request, "Acknowledged: no further level fires while you have it.")
    return redirect("actionplans:detail", pk=escalation.plan_id)
