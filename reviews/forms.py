from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Account, CustomerContact
from kernel.forms import ModelMultipleChoiceField
from organization.models import Department, User
from reviews.models import AGENDA, AccountReview


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


class MinutesForm(forms.Form):
    """Who came, a note per agenda item, and whether the review is over."""

    present_internal = ModelMultipleChoiceField(queryset=User.objects.none(), required=False, label="Ours present")
    present_customers = ModelMultipleChoiceField(
        queryset=CustomerContact.objects.none(), required=False, label="The customer's people present"
    )
    complete = forms.BooleanField(required=False, label="The review is over (the next pack starts from here)")

    def __init__(self, *args: Any, review: AccountReview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present_internal"].queryset = review.internal_attendees.all()  # type: ignore[attr-defined]
        self.fields["present_customers"].queryset = review.customer_attendees.all()  # type: ignore[attr-defined]
        for key, label in AGENDA:
            self.fields[f"note_{key}"] = forms.CharField(
                label=label, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def notes(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"note_{key}", "") for key, _ in AGENDA}


class DecisionForm(forms.Form):
    text = forms.CharField(max_length=200, label="Decision")
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True).order_by("full_name"), label="Owner")
    department = forms.ModelChoiceField(queryset=Department.objects.order_by("name"), label="Department")
    promise_on = forms.DateField(label="Promise date", widget=forms.DateInput(attrs={"type": "date"}))
