"""The public survey page a private link opens: no login (the signed token is the credential)."""

from django.urls import path

from surveys import views

app_name = "survey_link"

urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
    path("<str:token>/opt-out/", views.opt_out, name="opt-out"),
]
