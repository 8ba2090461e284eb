from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Account, CustomerContact
from feedback.models import Channel, IssueStatus, Severity, Topic
from kernel.forms import ModelMultipleChoiceField
from organization.models import Department, User

MAX_ISSUE_ROWS = 20
CHIP = {"class": "btn-check", "autocomplete": "off"}  # Bootstrap toggle buttons: one click each


class QuickLogForm(forms.Form):
    """A routine call in a few clicks: account, channel, a topic, what they said, how we are doing."""

    account = forms.ModelChoiceField(queryset=Account.objects.none(), widget=forms.HiddenInput)
    # One token per rendered form: sending the same form twice logs the conversation once.
    submission = forms.CharField(
        max_length=64, required=False, widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex
    )
    occurred_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.RadioSelect(attrs=CHIP))
    topics = forms.MultipleChoiceField(choices=Topic.choices, widget=forms.CheckboxSelectMultiple(attrs=CHIP))
    summary = forms.CharField(
        label="What the customer said",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Their words, not a summary of them: this is what every department will read.",
    )
    rating = forms.TypedChoiceField(
        label="How are we doing? (their answer)",
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect(attrs=CHIP),
        required=False,
        empty_value=None,
    )
    rating_comment = forms.CharField(label="In their words", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    their_participants = ModelMultipleChoiceField(
        queryset=CustomerContact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHIP),
        label="Who we spoke with",
    )
    our_participants = ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Colleagues who were there",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    next_contact_on = forms.DateField(
        label="Next contact",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # ISO, or <input type=date> shows none
        help_text="Leave empty for the account's tier cadence, counted from the conversation.",
    )

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["our_participants"].queryset = User.objects.filter(is_active=True).order_by("full_name")  # type: ignore[attr-defined]
        account_id = self.data.get("account") if self.is_bound else self.initial.get("account")
        contacts = CustomerContact.objects.none()
        if account_id and str(account_id).isdigit():
            contacts = CustomerContact.objects.filter(account_id=int(account_id), is_active=True)
        self.fields["their_participants"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class IssueRowForm(forms.Form):
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    department = forms.ModelChoiceField(queryset=Department.objects.all(), empty_label="Route to…")
    verbatim = forms.CharField(
        label="The customer's words", widget=forms.Textarea(attrs={"rows": 2}), help_text="Unabridged."
    )


def issue_row_indexes(data: Any) -> list[int]:
    """The issue rows present in a POST (issues-<n>-…), in order; at most MAX_ISSUE_ROWS."""
    indexes = set()
    for key in data:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "issues" and parts[1].isdigit():
            indexes.add(int(parts[1]))
    return sorted(indexes)[:MAX_ISSUE_ROWS]


class HandoffForm(forms.Form):
    to_department = forms.ModelChoiceField(queryset=Department.objects.all(), label="Hand off to")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why (they will read this)")


class InboxFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), to_field_name="slug", required=False, empty_label="My department"
    )
    severity = forms.ChoiceField(choices=[("", "Any severity"), *Severity.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Open"), *[(s, label) for s, label in IssueStatus.choices], ("all", "All")], required=False
    )


class EditLogForm(forms.Form):
    occurred_at = QuickLogForm.base_fields["occurred_at"]
    channel = QuickLogForm.base_fields["channel"]
    topics = QuickLogForm.base_fields["topics"]
    summary = QuickLogForm.base_fields["summary"]
    rating = QuickLogForm.base_fields["rating"]
    rating_comment = QuickLogForm.base_fields["rating_comment"]
    next_contact_on = QuickLogForm.base_fields["next_contact_on"]
    version = forms.IntegerField(widget=forms.HiddenInput)


class MoveLogForm(forms.Form):
    """The account a mis-logged conversation belongs to: among those the mover may open (a hidden account is
    refused as one that does not exist)."""

    account = forms.ModelChoiceField(queryset=Account.objects.none(), label="Move to account")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]


class DeleteLogForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
