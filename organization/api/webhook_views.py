"""The webhooks REST API: an internal system subscribes to events and inspects its deliveries.

A subscription belongs to the API client that created it: another client gets a 404 for it, as for anything it
may not see. Admins (in the browser) may list, read and deactivate every subscription; other people have none.
The signing secret is in the response to the POST that creates a subscription, and never again (a retry of that
POST with the same Idempotency-Key replays it, for 24 hours).
"""

from __future__ import annotations

from typing import Any, cast

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.idempotency import idempotent
from organization import policies
from organization.models import ApiClient, User, WebhookDelivery, WebhookEvent, WebhookSubscription
from organization.webhooks import selectors, services

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The subscription's id.")


def _principal(request: Request) -> ApiClient | User:
    if isinstance(request.auth, ApiClient):
        return request.auth
    return cast(User, request.user)


def _check_may_list(request: Request) -> None:
    if not policies.can_list_subscriptions(principal=_principal(request)):
        raise exceptions.PermissionDenied("Webhooks belong to API clients; only admins may see them all.")


def _visible_subscription(request: Request, pk: int) -> WebhookSubscription:
    return get_object_or_404(selectors.subscriptions_for(principal=_principal(request)), pk=pk)


@extend_schema_serializer(component_name="WebhookSubscription")
class WebhookSubscriptionSerializer(serializers.ModelSerializer[WebhookSubscription]):
    """Where and about what an internal system is told. The secret is not here: it is shown once, at creation."""

    api_client = serializers.IntegerField(source="api_client_id", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "api_client", "url", "events", "is_active", "created_at"]
        read_only_fields = fields


class WebhookListApi(generics.ListAPIView[WebhookSubscription]):
    """Your webhook subscriptions, newest first (admins: everyone's). POST subscribes: it needs the write scope.

    The response to POST holds `secret`, the key that signs every delivery (`X-Connectivity-Signature`). It is
    shown this once: store it now.
    """

    serializer_class = WebhookSubscriptionSerializer
    cursor_ordering = ("-created_at", "-id")
    filter_backends = []

    @extend_schema_serializer(component_name="WebhookSubscriptionCreate")
    class InputSerializer(serializers.Serializer[Any]):
        url = serializers.URLField(max_length=500, help_text="An http(s) URL that accepts a JSON POST.")
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=20
        )

    @extend_schema_serializer(component_name="WebhookSubscriptionCreated")
    class CreatedSerializer(WebhookSubscriptionSerializer):
        """A new subscription, with its signing secret: the only time the secret is shown."""

        secret = serializers.CharField(read_only=True)

        class Meta(WebhookSubscriptionSerializer.Meta):
            fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
            read_only_fields = fields

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return selectors.subscriptions_for(principal=_principal(self.request))

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _check_may_list(request)
        return self.list(request, *args, **kwargs)

    # A retry with the same Idempotency-Key gets the first response again, secret included: a client whose
    # connection dropped does not lose the only copy of its secret (nor create a second subscription).
    @extend_schema(request=InputSerializer, responses={201: CreatedSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        principal = _principal(request)
        if not policies.can_subscribe(principal=principal):
            raise exceptions.PermissionDenied("Only API clients subscribe to webhooks (with the write scope).")
        assert isinstance(principal, ApiClient)  # noqa: S101 - what can_subscribe allows
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        subscription = services.create_subscription(api_client=principal, **incoming.validated_data)
        return Response(
            self.CreatedSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:webhook", kwargs={"pk": subscription.pk})},
        )


class WebhookDetailApi(APIView):
    """One of your subscriptions (404 otherwise). DELETE deactivates it and gives up its pending deliveries."""

    @extend_schema(responses=WebhookSubscriptionSerializer, parameters=[ID_PARAMETER])
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookSubscriptionSerializer(_visible_subscription(request, pk)).data)

    @extend_schema(responses={204: None}, parameters=[ID_PARAMETER])
    def delete(self, request: Request, pk: int) -> Response:
        services.deactivate_subscription(subscription=_visible_subscription(request, pk), now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(generics.ListAPIView[WebhookDelivery]):
    """The deliveries of one of your subscriptions (404 otherwise), newest first, with the last attempt's outcome."""

    cursor_ordering = ("-id",)
    filter_backends = []

    @extend_schema_serializer(component_name="WebhookDelivery")
    class OutputSerializer(serializers.ModelSerializer[WebhookDelivery]):
        event = serializers.CharField(read_only=True, help_text="One of the subscription's events.")
        subscription = serializers.IntegerField(source="subscription_id", read_only=True)

        class Meta:
            model = WebhookDelivery
            fields = [
                "id",
                "subscription",
                "event",
                "event_id",
                "payload",
                "status",
                "attempts",
                "next_attempt_at",
                "last_status_code",
                "last_error",
                "last_latency_ms",
                "delivered_at",
                "created_at",
            ]
            read_only_fields = fields

    serializer_class = OutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        subscription = _visible_subscription(self.request, self.kwargs["pk"])
        return subscription.deliveries.all()

    @extend_schema(parameters=[ID_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)
