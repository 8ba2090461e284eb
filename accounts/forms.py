from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django import forms

from accounts import policies
from accounts.models import Account, AccountTeamMember, CustomerContact, PriorityCriterion, TeamRole, Tier, TierRule
from organization.models import User


class LinesField(forms.CharField):
    """A list of short texts, typed one per line (needs, wants)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in str(text).splitlines() if line.strip()]


def _people() -> Any:
    return User.objects.filter(is_active=True).select_related("department").order_by("full_name")


class AccountForm(forms.ModelForm[Account]):
    needs = LinesField(required=False, help_text="The problems they need solved, one per line.")
    wants = LinesField(required=False, help_text="What makes them feel good about us, one per line.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Account
        fields = [
            "name",
            "external_id",
            "segment",
            "industry",
            "region",
            "status",
            "owner",
            "executive_sponsor",
            "is_confidential",
            "needs",
            "wants",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same people accounts.policies lets own and sponsor an account (the service checks it again).
        self.fields["owner"].queryset = _people().filter(role__in=policies.OWNER_ROLES)  # type: ignore[attr-defined]
        self.fields["executive_sponsor"].queryset = _people().filter(  # type: ignore[attr-defined]
            role__in=policies.SPONSOR_ROLES
        )
        if self.instance.pk:
            # An edit says which version it started from, so a concurrent edit is refused instead of overwritten.
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True


class ContactForm(forms.ModelForm[CustomerContact]):
    needs = LinesField(required=False, help_text="What this person needs solved, one per line.")
    wants = LinesField(required=False, help_text="What this person values, one per line.")

    class Meta:
        model = CustomerContact
        fields = ["name", "title", "email", "phone", "buying_role", "influence", "needs", "wants", "is_active"]


class TeamMemberForm(forms.Form):
    """Someone from any department joins the team, with their part on it."""

    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    role = forms.ChoiceField(choices=TeamRole.choices)
    can_edit = forms.BooleanField(required=False, label="May edit the account and its team")

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        on_team = AccountTeamMember.objects.filter(account=account).values("user_id")
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            _people().exclude(pk=account.owner_id).exclude(pk__in=on_team)
        )
        self.fields["user"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.full_name} ({u.department.name})" if u.department else u.full_name
        )


class TeamMemberChangeForm(forms.Form):
    role = forms.ChoiceField(choices=TeamRole.choices)
    can_edit = forms.BooleanField(required=False, label="May edit")


class ScoresForm(forms.Form):
    """One 0–10 field per active criterion."""

    def __init__(self, *args: Any, criteria: list[PriorityCriterion], values: dict[int, Decimal], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                min_value=0,
                max_value=10,
                decimal_places=1,
                max_digits=3,
                initial=values.get(criterion.pk, Decimal(0)),
                help_text=criterion.description,
            )

    def scores(self) -> dict[int, Decimal]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


class OverrideForm(forms.Form):
    tier = forms.TypedChoiceField(
        choices=[("", "No override: use the computed tier"), *Tier.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("tier") and not (data.get("reason") or "").strip():
            self.add_error("reason", "A manual tier needs a reason.")
        return data


class PrioritySettingsForm(forms.Form):
    """Criterion weights, and per tier the minimum score and the contact cadence."""

    def __init__(self, *args: Any, criteria: list[PriorityCriterion], rules: list[TierRule], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.rules = rules
        for criterion in criteria:
            self.fields[f"weight_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                min_value=0,
                max_value=1000,
                decimal_places=2,
                max_digits=6,
                initial=criterion.weight,
            )
        for rule in rules:
            label = rule.get_tier_display()
            self.fields[f"min_score_{rule.tier}"] = forms.DecimalField(
                label=f"{label}: minimum score",
                min_value=0,
                max_value=10,
                decimal_places=2,
                max_digits=4,
                initial=rule.min_score,
            )
            self.fields[f"cadence_{rule.tier}"] = forms.IntegerField(
                label=f"{label}: contact every (days)",
                min_value=1,
                max_value=730,
                initial=rule.cadence_days,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        minimums = [data.get(f"min_score_{rule.tier}") for rule in self.rules]
        if None not in minimums and any(a <= b for a, b in itertools.pairwise(minimums)):  # type: ignore[operator]
            raise forms.ValidationError("Each tier needs a higher minimum score than the tier below it.")
        return data

    def weights(self) -> dict[int, Decimal]:
        return {c.pk: self.cleaned_data[f"weight_{c.pk}"] for c in self.criteria}

    def tier_rules(self) -> dict[int, tuple[Decimal, int]]:
        return {
            r.tier: (self.cleaned_data[f"min_score_{r.tier}"], self.cleaned_data[f"cadence_{r.tier}"])
            for r in self.rules
        }

    def min_scores(self) -> dict[int, Decimal]:
        return {tier: min_score for tier, (min_score, _) in self.tier_rules().items()}
