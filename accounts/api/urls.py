from django.urls import path

from accounts.api import views

urlpatterns = [
    path("accounts", views.AccountListApi.as_view(), name="accounts"),
    path("accounts/<int:pk>", views.AccountDetailApi.as_view(), name="account"),
    path("accounts/<int:pk>/contacts", views.AccountContactListApi.as_view(), name="account-contacts"),
    path("accounts/<int:pk>/team", views.AccountTeamApi.as_view(), name="account-team"),
    path("accounts/<int:pk>/team/<int:member_id>", views.AccountTeamMemberApi.as_view(), name="account-team-member"),
    path(
        "accounts/by-external-id/<path:external_id>",
        views.AccountByExternalIdApi.as_view(),
        name="account-by-external-id",
    ),
    path("contacts", views.ContactListApi.as_view(), name="contacts"),
    path("priority-criteria", views.PriorityCriterionListApi.as_view(), name="priority-criteria"),
]
