from django.urls import path

from feedback.api import views

urlpatterns = [
    path("contact-logs", views.ContactLogListApi.as_view(), name="contact-logs"),
    path("contact-logs/<int:pk>", views.ContactLogDetailApi.as_view(), name="contact-log"),
    path("issues", views.IssueListApi.as_view(), name="issues"),
    path("issues/<int:pk>", views.IssueDetailApi.as_view(), name="issue"),
    path("issues/<int:pk>/acknowledge", views.IssueAcknowledgeApi.as_view(), name="issue-acknowledge"),
    path("issues/<int:pk>/handoff", views.IssueHandoffApi.as_view(), name="issue-handoff"),
]
