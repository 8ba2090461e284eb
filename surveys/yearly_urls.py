from django.urls import path

from surveys import yearly_views

app_name = "yoy"

urlpatterns = [
    path("", yearly_views.yoy_page, name="page"),
    path("proposals/<int:pk>/accept/", yearly_views.proposal_accept, name="accept"),
    path("proposals/<int:pk>/dismiss/", yearly_views.proposal_dismiss, name="dismiss"),
]
