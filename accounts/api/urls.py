from django.urls import path

urlpatterns: list[object] = [
    # The accounts API (accounts/api/views.py) is added here.
]
