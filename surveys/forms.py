"""The campaign form. Rules live in the services; this only shapes input."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Segment, Tier
from accounts.policies import OWNER_ROLES
from organization.models import User
from surveys import services
from surveys.models import SurveyTemplate


class CampaignForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=SurveyTemplate.objects.order_by("kind", "name"), empty_label=None, label="Survey"
    )
    name = forms.CharField(max_length=200, help_text="e.g. “Annual survey 2026”.")
    tiers = forms.TypedMultipleChoiceField(
        choices=Tier.choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Tiers"
    )
    segments = forms.ModelMultipleChoiceField(
        queryset=Segment.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role__in=OWNER_ROLES).order_by("full_name"),
        required=False,
        empty_label="Any owner",
        label="Account owner",
    )
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=365, initial=services.DEFAULT_EXPIRY_DAYS, label="Links valid for (days)"
    )
    reminder_after_business_days = forms.IntegerField(
        min_value=1, max_value=60, initial=5, label="Remind after (business days, twice at most)"
    )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "template": data["template"],
            "name": data["name"],
            "tiers": data["tiers"],
            "segment_ids": [s.pk for s in data["segments"]],
            "owner": data["owner"],
            "expires_in_days": data["expires_in_days"],
            "reminder_after_business_days": data["reminder_after_business_days"],
        }
