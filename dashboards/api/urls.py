from django.urls import path

from dashboards.api import views

urlpatterns = [
    path("kpis", views.KpiApi.as_view(), name="kpis"),
    path("dashboard/priority-accounts", views.PriorityAccountListApi.as_view(), name="priority-accounts"),
]
