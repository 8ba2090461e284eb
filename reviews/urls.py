from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("accounts/<int:account_pk>/new/", views.review_create, name="create"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/start/", views.review_start, name="start"),
]
