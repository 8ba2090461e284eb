"""The plan list's filters and the plan page's forms. Rules live in the services; these only shape input."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Account, Tier
from actionplans.models import ACTIVE_STATUSES, DONE_STATUSES, ActionPlan, PlanStatus
from kernel.api.filters import IdFilter
from organization.models import Department, User

STATUS_CHOICES = [
    ("active", "Active (open, in progress, waiting)"),
    ("done", "Resolved or confirmed"),
    ("all", "Any status"),
    *PlanStatus.choices,
]


class PlanFilter(django_filters.FilterSet):  # type: ignore[misc]
    """Without a status, the list shows active plans: what still needs doing."""

    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), empty_label="Any department")
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), empty_label="Any owner")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", empty_label=None)
    tier = django_filters.ChoiceFilter(field_name="account__tier", choices=Tier.choices, empty_label="Any tier")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")
    account = IdFilter(field_name="account_id", widget=forms.HiddenInput)

    class Meta:
        model = ActionPlan
        fields = ["department", "owner", "status", "tier", "overdue", "account"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = "active"
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset: QuerySet[ActionPlan], name: str, value: str) -> QuerySet[ActionPlan]:
        if value == "active":
            return queryset.filter(status__in=ACTIVE_STATUSES)
        if value == "done":
            return queryset.filter(status__in=DONE_STATUSES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet[ActionPlan], name: str, value: bool | None) -> QuerySet[ActionPlan]:
        if value is None:
            return queryset
        today = timezone.localdate()
        overdue = queryset.filter(status__in=ACTIVE_STATUSES, due_on__lt=today)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class PlanEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))
    due_on = forms.DateField(
        label="Due date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The date we set ourselves.",
    )
    promise_on = forms.DateField(
        label="Promise date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The date we tell the customer. Changing it records when we told them.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_plan(cls, plan: ActionPlan, data: Any = None) -> PlanEditForm:
        initial = {
            "title": plan.title,
            "owner": plan.owner_id,
            "due_on": plan.due_on,
            "promise_on": plan.promise_on,
            "version": plan.version,
        }
        return cls(data, initial=initial, prefix="edit")

    def changes(self, plan: ActionPlan) -> dict[str, Any]:
        """Only what changed: the service treats a due date it is given as a new commitment."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return {k: v for k, v in data.items() if getattr(plan, k) != v}


class PlanCreateForm(forms.Form):
    """A plan started from an account, the plan list or a conversation. Who may plan what is the service's
    (policies.can_create_plan, may_own_plan); the accounts offered are the ones the person may open."""

    account = forms.ModelChoiceField(queryset=Account.objects.none())
    title = forms.CharField(max_length=200, help_text="What we will do, in a line.")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), help_text="Who owes it.")
    department = forms.ModelChoiceField(queryset=Department.objects.all())
    due_on = PlanEditForm.base_fields["due_on"]
    promise_on = PlanEditForm.base_fields["promise_on"]
    steps = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: one step per line.",
    )

    def __init__(self, *args: Any, accounts: QuerySet[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("full_name")  # type: ignore[attr-defined]

    def step_titles(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanStatus.choices, label="New status")
    resolution = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to resolve or confirm: what we did.",
    )
    confirmation = forms.CharField(
        label="The customer's words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to mark it confirmed: what the customer said.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_plan(cls, plan: ActionPlan, data: Any = None) -> PlanStatusForm:
        return cls(
            data,
            initial={"status": plan.status, "resolution": plan.resolution, "version": plan.version},
            prefix="status",
        )
