from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Account, CustomerContact
from kernel.forms import ModelMultipleChoiceField
from organization.models import User


class ReviewForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    internal_attendees = ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label="Our attendees",
        help_text="Colleagues from any department; those who may open the account are told, with a link.",
    )
    customer_attendees = ModelMultipleChoiceField(
        queryset=CustomerContact.objects.none(), required=False, label="The customer's attendees"
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["internal_attendees"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True).select_related("department").order_by("full_name")
        )
        self.fields["internal_attendees"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.full_name} ({u.department.name})" if u.department else u.full_name
        )
        self.fields["customer_attendees"].queryset = account.contacts.filter(  # type: ignore[attr-defined]
            is_active=True
        )
