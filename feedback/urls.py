from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("log/", views.quick_log, name="log"),
    path("log/account-options/", views.account_options, name="account-options"),
    path("log/account-picked/", views.account_picked, name="account-picked"),
    path("log/issue-row/", views.issue_row, name="issue-row"),
    path("logs/<int:pk>/", views.log_detail, name="log-detail"),
    path("logs/<int:pk>/edit/", views.log_edit, name="log-edit"),
    path("logs/<int:pk>/move/", views.log_move, name="log-move"),
    path("logs/<int:pk>/delete/", views.log_delete, name="log-delete"),
    path("issues/<int:pk>/", views.issue_detail, name="issue-detail"),
    path("issues/<int:pk>/acknowledge/", views.issue_acknowledge, name="issue-acknowledge"),
    path("issues/<int:pk>/handoff/", views.issue_handoff, name="issue-handoff"),
    path("inbox/", views.inbox, name="inbox"),
    path("search/", views.search, name="search"),
]
