from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("accounts/<int:account_pk>/new/", views.review_create, name="create"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/start/", views.review_start, name="start"),
    path("<int:pk>/send-summary/", views.review_send_summary, name="send-summary"),
    path("<int:pk>/minutes/", views.review_minutes, name="minutes"),
    path("<int:pk>/decisions/", views.decision_create, name="decision-create"),
    path("decisions/<int:pk>/plan/", views.decision_plan, name="decision-plan"),
]
