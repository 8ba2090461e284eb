"""CSV import and export pages: thin views over accounts.csv_parsing, .imports, .selectors and .exports.

The formats: docs/csv-import.md.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts import csv_parsing, exports, imports, policies, selectors
from accounts.filters import AccountFilter
from accounts.models import AccountImport
from organization import audit
from organization.models import User


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=AccountImport.Kind.choices, initial=AccountImport.Kind.ACCOUNTS, label="The file holds"
    )
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, comma-separated, the header row first; at most 5 MB and 100,000 rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        upload, kind = cleaned.get("file"), cleaned.get("kind")
        if upload is None or kind is None:
            return cleaned
        try:
            if upload.size > csv_parsing.MAX_BYTES:  # refused before reading it
                raise csv_parsing.BadFile("The file is larger than 5 MB. Split it into smaller files.")
            text = csv_parsing.read_upload(data=upload.read(csv_parsing.MAX_BYTES + 1))
            cleaned["parsed"] = csv_parsing.parse_csv(text=text, kind=kind)
        except csv_parsing.BadFile as exc:
            self.add_error("file", str(exc))
        return cleaned


def _importer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not policies.can_import_accounts(person=user):
        raise PermissionDenied("Account managers, department leads, executives and admins import accounts.")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def account_import(request: HttpRequest) -> HttpResponse:
    """Upload a file; the POST is the dry run, which records its outcome and shows it on the import's page."""
    user = _importer(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_valid():
        job = imports.check_upload(
            parsed=form.cleaned_data["parsed"], file_name=form.cleaned_data["file"].name, user=user
        )
        return redirect("accounts:import-detail", pk=job.pk)
    recent = selectors.imports_for_user(user=user)[:5]
    return render(request, "accounts/import_upload.html", {"form": form, "recent": recent})


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def account_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run's preview, the confirmation (POST), the progress of a queued import and its result."""
    user = _importer(request)
    job = get_object_or_404(selectors.imports_for_user(user=user).defer(None), pk=pk)
    if request.method == "POST":
        imports.confirm_import(account_import=job, user=user, now=timezone.now())
        return redirect("accounts:import-detail", pk=job.pk)
    template = "accounts/import_detail.html"
    if request.headers.get("HX-Request"):  # the progress poll
        template += "#import-status"
    context = {
        "job": job,
        "columns": csv_parsing.COLUMNS[job.kind],
        "preview": selectors.preview_rows(account_import=job) if job.status == AccountImport.Status.READY else [],
        "inline_rows": imports.INLINE_ROWS,
    }
    return render(request, template, context)


@login_required
@require_GET
def account_export(request: HttpRequest) -> StreamingHttpResponse:
    """The account list as CSV: the same filters as the list page, only the accounts this user may see."""
    accounts = AccountFilter(request.GET or None, queryset=selectors.accounts_for_user(user=request.user)).qs
    today = timezone.localdate()
    audit.record(kind=audit.Kind.EXPORT, request=request, detail={"export": "accounts", "filters": request.GET.dict()})
    response = StreamingHttpResponse(
        exports.export_lines(accounts=accounts, today=today), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="accounts-{today.isoformat()}.csv"'
    return response
