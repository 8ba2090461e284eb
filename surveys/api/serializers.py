"""The survey API's bodies: the schema's source (drf-spectacular); surveys.api.rows writes the same from lean rows."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from feedback.models import Topic
from kernel.api.fields import DateTimeField
from surveys.models import QuestionKind, SurveyCampaign, SurveyKind


@extend_schema_serializer(component_name="SurveyQuestion")
class SurveyQuestionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    dimension = serializers.ChoiceField(choices=Topic.choices, allow_null=True, help_text="Null: no dimension.")
    wording = serializers.CharField()
    allows_comment = serializers.BooleanField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # a body field, not Field.required


@extend_schema_serializer(component_name="Survey")
class SurveySerializer(serializers.Serializer[Any]):
    """A survey the company sends (the annual perception survey, the pulse), with its current questions."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SurveyKind.choices)
    name = serializers.CharField()
    slug = serializers.CharField()
    intro = serializers.CharField(help_text="Our own words at the top of the survey page.")
    thank_you = serializers.CharField()
    version = serializers.IntegerField(allow_null=True, help_text="The current version's number.")
    questions = SurveyQuestionSerializer(many=True, help_text="The current version's questions, in order.")
    created_at = DateTimeField()
    updated_at = DateTimeField()


@extend_schema_serializer(component_name="SurveyCampaign")
class SurveyCampaignSerializer(serializers.Serializer[Any]):
    """One sending of a survey version to an audience; the counts cover the accounts the caller may see."""

    id = serializers.IntegerField()
    survey = serializers.IntegerField(help_text="The survey (template) id.")
    version = serializers.IntegerField(help_text="The version's number: the questions it sent.")
    kind = serializers.ChoiceField(choices=SurveyKind.choices)
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=SurveyCampaign.State.choices)
    plan = serializers.IntegerField(allow_null=True, help_text="The action plan a pulse follows.")
    created_at = DateTimeField()
    send_after = DateTimeField(allow_null=True)
    expires_at = DateTimeField()
    invitations = serializers.IntegerField(help_text="Contacts invited (at accounts you may see).")
    responses = serializers.IntegerField(help_text="Of them, those who submitted their answers.")


@extend_schema_serializer(component_name="SurveyAnswer")
class SurveyAnswerSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    question = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    dimension = serializers.ChoiceField(choices=Topic.choices, allow_null=True)
    score = serializers.IntegerField(
        allow_null=True, help_text="1–5 per dimension, 0–10 to recommend, 1 yes / 0 no for yes-no questions."
    )
    text = serializers.CharField(help_text="A free-text answer, verbatim.")
    comment = serializers.CharField(help_text="The comment beside a score, verbatim.")
    issue = serializers.IntegerField(allow_null=True, help_text="The issue this answer raised, if any.")


@extend_schema_serializer(component_name="SurveyResponse")
class SurveyResponseSerializer(serializers.Serializer[Any]):
    """One contact's submitted answers to one campaign, in their own words."""

    id = serializers.IntegerField()
    campaign = serializers.IntegerField()
    survey = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SurveyKind.choices)
    account = serializers.IntegerField()
    account_name = serializers.CharField()
    contact = serializers.IntegerField()
    submitted_at = DateTimeField()
    recommend = serializers.IntegerField(allow_null=True, help_text="0–10: how likely to recommend us.")
    choose_again = serializers.BooleanField(allow_null=True, help_text="Would they choose us again.")
    answers = SurveyAnswerSerializer(many=True)
