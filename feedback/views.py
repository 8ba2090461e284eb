"""Logging conversations, department inboxes, issue hand-offs and search: thin views over services."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import selectors as account_selectors
from accounts.models import Account
from feedback import actions, policies, selectors, services
from feedback.forms import (
    MAX_ISSUE_ROWS,
    DeleteLogForm,
    EditLogForm,
    HandoffForm,
    InboxFilterForm,
    IssueRowForm,
    MoveLogForm,
    QuickLogForm,
    issue_row_indexes,
)
from feedback.models import ContactLog, Issue
from kernel.paging import CappedPaginator
from kernel.versions import StaleVersion
from organization.models import Department, User

INBOX_PAGE = 50  # a page of 50, as every list page (docs/performance.md)
SEARCH_PAGE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def quick_log(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    accounts = Account.objects.visible_to(user)
    initial: dict[str, Any] = {}
    picked: Account | None = None
    if request.method == "GET" and (account_id := request.GET.get("account", "")).isdigit():
        picked = accounts.filter(pk=int(account_id)).first()
        if picked:
            initial = {"account": picked.pk}
    form = QuickLogForm(request.POST or None, initial=initial, accounts=accounts)
    rows = [IssueRowForm(request.POST, prefix=f"issues-{i}") for i in issue_row_indexes(request.POST)]
    if request.method == "POST":
        posted = request.POST.get("account", "")
        picked = accounts.filter(pk=int(posted)).first() if posted.isdigit() else None
        if form.is_valid() and all(row.is_valid() for row in rows):
            data = form.cleaned_data
            try:
                log, repeated = services.log_contact_once(
                    author=user,
                    now=timezone.now(),
                    submission=data["submission"] or uuid.uuid4().hex,
                    data=services.ContactLogInput(
                        account=data["account"],
                        occurred_at=data["occurred_at"],
                        channel=data["channel"],
                        summary=data["summary"],
                        topics=data["topics"],
                        rating=data["rating"],
                        rating_comment=data["rating_comment"],
                        next_contact_on=data["next_contact_on"],  # empty: the service's default
                        our_participants=list(data["our_participants"]),
                        their_participants=list(data["their_participants"]),
                        issues=[
                            services.IssueInput(
                                department=row.cleaned_data["department"],
                                verbatim=row.cleaned_data["verbatim"],
                                severity=row.cleaned_data["severity"],
                            )
                            for row in rows
                        ],
                    ),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if repeated:
                    messages.info(request, f"This conversation with {log.account.name} was already logged.")
                    return redirect("accounts:detail", pk=log.account_id)
                routed = log.issues.count()
                messages.success(
                    request,
                    f"Conversation with {log.account.name} logged"
                    + (f"; {routed} issue{'s' if routed != 1 else ''} routed." if routed else "."),
                )
                return redirect("accounts:detail", pk=log.account_id)
    return render(
        request,
        "feedback/quick_log.html",
        {
            "form": form,
            "rows": rows,
            "rows_invalid": any(row.errors for row in rows),
            "picked": picked,
            "next_contact_default": _next_contact_default(picked),
            "next_index": max([-1, *issue_row_indexes(request.POST)]) + 1,
        },
    )


def _next_contact_default(account: Account | None) -> Any:
    """The date an empty next-contact field stands for: the tier's cadence from now (the service decides the same
    from the conversation's time), shown before saving."""
    if account is None:
        return None
    return account_selectors.next_contact_after(tier=account.tier, occurred_at=timezone.now())


@login_required
@require_GET
def account_options(request: HttpRequest) -> HttpResponse:
    """Autocomplete for the quick log: up to 8 visible accounts matching the typed name, in rank order."""
    query = request.GET.get("account_q", "").strip()
    options = (
        account_selectors.accounts_for_user(user=request.user).filter(name__icontains=query)[:8]
        if len(query) >= 2
        else []
    )
    return render(request, "feedback/_account_options.html", {"options": options, "query": query})


@login_required
@require_GET
def account_picked(request: HttpRequest) -> HttpResponse:
    account_id = request.GET.get("account", "")
    account = Account.objects.visible_to(request.user).filter(pk=account_id).first() if account_id.isdigit() else None
    if account is None:
        raise Http404("No such account")
    form = QuickLogForm(initial={"account": account.pk}, accounts=Account.objects.filter(pk=account.pk))
    # The hint beside "next contact" is elsewhere on the page: sent out of band with the picked account.
    context = {
        "picked": account,
        "form": form,
        "next_contact_default": _next_contact_default(account),
        "oob_hint": True,
    }
    return render(request, "feedback/_account_picked.html", context)


@login_required
@require_GET
def issue_row(request: HttpRequest) -> HttpResponse:
    index = int(request.GET.get("index", "0")) if request.GET.get("index", "").isdigit() else 0
    if index >= MAX_ISSUE_ROWS:
        return HttpResponse(status=204)
    return render(
        request,
        "feedback/_issue_row.html",
        {"row": IssueRowForm(prefix=f"issues-{index}"), "index": index, "next_index": index + 1},
    )


def _visible_log(request: HttpRequest, pk: int) -> ContactLog:
    log = selectors.contact_logs_for_user(user=request.user).filter(pk=pk).first()
    if log is None:
        raise Http404("No such conversation")
    return log


@login_required
def log_detail(request: HttpRequest, pk: int) -> HttpResponse:
    log = _visible_log(request, pk)
    user = _user(request)
    now = timezone.now()
    editable = policies.can_edit_contact_log(person=user, log=log, now=now)
    movable = policies.can_move_contact_log(person=user, log=log, now=now)
    return render(
        request,
        "feedback/log_detail.html",
        {
            "log": log,
            "issues": selectors.issues_for_user(user=user).filter(contact_log=log),
            "editable": editable,
            "versions": log.history.select_related("history_user")[:10],
            "delete_form": DeleteLogForm(),
            "can_delete": policies.can_delete_contact_log(person=user),
            "move_form": _move_form(request, log) if movable else None,
            "log_actions": actions.log.actions(log, user),
        },
    )


def _move_form(request: HttpRequest, log: ContactLog, data: Any = None) -> MoveLogForm:
    accounts = account_selectors.accounts_for_user(user=request.user).exclude(pk=log.account_id).order_by("name")
    return MoveLogForm(data, initial={"version": log.version}, accounts=accounts)


@login_required
@require_POST
def log_move(request: HttpRequest, pk: int) -> HttpResponse:
    log = _visible_log(request, pk)
    refusal = policies.contact_log_move_refusal(person=_user(request), log=log, now=timezone.now())
    if refusal:  # asked before the body is read; the service asks again under the row lock
        raise PermissionDenied(refusal)
    form = _move_form(request, log, request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an account you may open.")
        return redirect("feedback:log-detail", pk=log.pk)
    try:
        log = services.move_contact_log(
            log=log,
            to_account=form.cleaned_data["account"],
            by=_user(request),
            now=timezone.now(),
            expected_version=form.cleaned_data["version"],
        )
    except (ValidationError, StaleVersion) as exc:
        for message in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
            messages.error(request, message)
        return redirect("feedback:log-detail", pk=log.pk)
    messages.success(request, f"Conversation moved to {log.account.name}, with its issues; the move is in its history.")
    return redirect("feedback:log-detail", pk=log.pk)


@login_required
@require_http_methods(["GET", "POST"])
def log_edit(request: HttpRequest, pk: int) -> HttpResponse:
    log = _visible_log(request, pk)
    initial = {f: getattr(log, f) for f in services.EDITABLE_FIELDS} | {"version": log.version}
    form = EditLogForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if fields["occurred_at"] == log.occurred_at.replace(second=0, microsecond=0):
            fields["occurred_at"] = log.occurred_at  # the page shows minutes: the same minute is the same time
        try:
            services.edit_contact_log(
                log=log, by=_user(request), now=timezone.now(), expected_version=form.cleaned_data["version"], **fields
            )
        except PermissionDenied:
            raise
        except (ValidationError, StaleVersion) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, "Conversation updated; the previous version is kept in its history.")
            return redirect("feedback:log-detail", pk=log.pk)
    elif request.method == "GET" and not policies.can_edit_contact_log(
        person=_user(request), log=log, now=timezone.now()
    ):
        raise PermissionDenied("Only the author edits a log, within 24 hours.")
    return render(request, "feedback/log_edit.html", {"form": form, "log": log})


@login_required
@require_POST
def log_delete(request: HttpRequest, pk: int) -> HttpResponse:
    log = _visible_log(request, pk)
    form = DeleteLogForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why this log is deleted.")
        return redirect("feedback:log-detail", pk=log.pk)
    services.delete_contact_log(log=log, by=_user(request), reason=form.cleaned_data["reason"], now=timezone.now())
    messages.success(request, "Conversation deleted; the deletion is recorded with your reason.")
    return redirect("accounts:detail", pk=log.account_id)


@login_required
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters = InboxFilterForm(request.GET or None)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    department: Department | None = data.get("department") or user.department
    if department is None:
        return render(request, "feedback/inbox.html", {"filters": filters, "department": None, "page": None})
    status = data.get("status") or ""
    issues = selectors.inbox_for_department(user=user, department=department, include_closed=bool(status))
    if status and status != "all":
        issues = issues.filter(status=status)
    if data.get("severity"):
        issues = issues.filter(severity=data["severity"])
    # A department's inbox can hold thousands of issues: count them no further than the cap, page the rest.
    page = CappedPaginator(issues, INBOX_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for issue in page:  # the buttons each person may use, asked of the policies
        issue.can_acknowledge = policies.can_acknowledge_issue(person=user, issue=issue)  # type: ignore[attr-defined]
        issue.actions = actions.issue.actions(issue, user)  # type: ignore[attr-defined]
    template = "feedback/inbox.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "issue-rows":
        template += "#issue-rows"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "filters": filters,
            "department": department,
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            "handoff_form": HandoffForm(),
        },
    )


def _visible_issue(request: HttpRequest, pk: int) -> Issue:
    issue = selectors.issues_for_user(user=request.user).filter(pk=pk).first()
    if issue is None:
        raise Http404("No such issue")
    return issue


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)
    user = _user(request)
    return render(
        request,
        "feedback/issue_detail.html",
        {
            "issue": issue,
            "can_acknowledge": policies.can_acknowledge_issue(person=user, issue=issue),
            "can_hand_off": policies.can_hand_off_issue(person=user, issue=issue),
            "actions": actions.issue.actions(issue, user),
            "page_actions": actions.issue_page.actions(issue, user),
            "handoffs": issue.handoffs.select_related("from_department", "to_department", "handed_off_by"),
            "handoff_form": HandoffForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def issue_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)
    issue = services.acknowledge_issue(issue=issue, by=_user(request), now=timezone.now())
    messages.success(request, f"Acknowledged: {issue.department.name} owns this issue now.")
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("feedback:inbox")


@login_required
@require_POST
def issue_handoff(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)
    form = HandoffForm(request.POST)
    if form.is_valid():
        try:
            services.hand_off_issue(
                issue=issue,
                to_department=form.cleaned_data["to_department"],
                note=form.cleaned_data["note"],
                by=_user(request),
                now=timezone.now(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"Handed off to {form.cleaned_data['to_department'].name}; "
                "it stays in your inbox until they acknowledge it.",
            )
    else:
        messages.error(request, "Choose a department and say why.")
    return redirect("feedback:issue-detail", pk=issue.pk)


@login_required
@vary_on_headers("HX-Request")
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200].strip()
    # A common word matches a good part of a million conversations: count no further than the cap, page the rest.
    matches = selectors.search_matches(user=request.user, query=query)
    page = CappedPaginator(matches, SEARCH_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.search_hits(user=request.user, query=query, rows=page.object_list)
    template = "feedback/search.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "search-hits":
        template += "#search-hits"
    return render(request, template, {"query": query, "page": page, "page_query": urlencode({"q": query})})
