from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.priority_dashboard, name="priority"),
    path("dashboard/export.csv", views.priority_export, name="priority-export"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/me/", views.my_scorecard, name="me"),
    path("scorecards/people/<int:pk>/", views.person_scorecard, name="person"),
]
