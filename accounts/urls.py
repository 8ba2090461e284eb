from django.urls import path

from accounts import csv_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("call-next/", views.call_next, name="call-next"),
    path("new/", views.account_create, name="create"),
    path("priority/", views.priority_settings, name="priority-settings"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/timeline/", views.account_timeline, name="timeline"),
    path("<int:pk>/scores/", views.account_scores, name="scores"),
    path("<int:pk>/override/", views.account_override, name="override"),
    path("<int:pk>/team/", views.team_member_add, name="team-add"),
    path("<int:pk>/team/<int:member_pk>/", views.team_member_change, name="team-change"),
    path("<int:pk>/team/<int:member_pk>/remove/", views.team_member_remove, name="team-remove"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact-create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact-edit"),
    # CSV import and export (accounts/csv_views.py) are added below this line.
    path("import/", csv_views.account_import, name="import"),
    path("import/<int:pk>/", csv_views.account_import_detail, name="import-detail"),
    path("export.csv", csv_views.account_export, name="export"),
]
