from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="new"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="revoke"),
    path("responses/<int:pk>/", views.response_detail, name="response"),
]
