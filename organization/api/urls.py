from django.urls import include, path

from organization.api import views

urlpatterns = [
    path("me", views.MeApi.as_view(), name="me"),
    path("departments", views.DepartmentListApi.as_view(), name="departments"),
    path("", include("organization.api.webhook_urls")),
]
