from django.urls import path

from organization.api import webhook_views

urlpatterns = [
    path("webhooks", webhook_views.WebhookListApi.as_view(), name="webhooks"),
    path("webhooks/<int:pk>", webhook_views.WebhookDetailApi.as_view(), name="webhook"),
    path("webhooks/<int:pk>/deliveries", webhook_views.WebhookDeliveryListApi.as_view(), name="webhook-deliveries"),
]
