from django.urls import path

from organization.api import views

urlpatterns = [
    path("me", views.MeApi.as_view(), name="me"),
    path("departments", views.DepartmentListApi.as_view(), name="departments"),
]
