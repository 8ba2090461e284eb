from django.contrib import admin

from surveys.models import (
    DeclineProposal,
    DimensionOwner,
    SurveyCampaign,
    SurveyOptOut,
    SurveyQuestion,
    SurveyTemplate,
    SurveyVersion,
)


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin[SurveyTemplate]):
    list_display = ["name", "kind", "slug", "updated_at"]
    prepopulated_fields = {"slug": ("name",)}


class SurveyQuestionInline(admin.TabularInline[SurveyQuestion, SurveyVersion]):
    model = SurveyQuestion
    extra = 0
    # Questions are changed by making a new version (surveys.services), so answers keep the questions they had.
    readonly_fields = ["position", "kind", "dimension", "wording", "allows_comment", "required"]
    can_delete = False


@admin.register(SurveyVersion)
class SurveyVersionAdmin(admin.ModelAdmin[SurveyVersion]):
    list_display = ["template", "number", "created_at"]
    inlines = [SurveyQuestionInline]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin[SurveyCampaign]):
    list_display = ["name", "kind", "state", "created_at", "expires_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["version", "created_by", "owner", "plan"]


@admin.register(SurveyOptOut)
class SurveyOptOutAdmin(admin.ModelAdmin[SurveyOptOut]):
    list_display = ["contact", "opted_out_at", "source"]
    raw_id_fields = ["contact"]


@admin.register(DimensionOwner)
class DimensionOwnerAdmin(admin.ModelAdmin[DimensionOwner]):
    list_display = ["dimension", "department"]


@admin.register(DeclineProposal)
class DeclineProposalAdmin(admin.ModelAdmin[DeclineProposal]):
    list_display = ["account", "dimension", "previous_score", "current_score", "state"]
    list_filter = ["state", "dimension"]
    raw_id_fields = ["account", "previous_campaign", "current_campaign", "suggested_owner", "plan", "decided_by"]
