from django.urls import path

from surveys.api import views

urlpatterns = [
    path("surveys", views.SurveyListApi.as_view(), name="surveys"),
    path("survey-campaigns", views.SurveyCampaignListApi.as_view(), name="survey-campaigns"),
    path("survey-responses", views.SurveyResponseListApi.as_view(), name="survey-responses"),
]
