import django_stubs_ext
from django.apps import AppConfig


class ConnectivityConfig(AppConfig):
    """The project package as an app: health checks, the worker heartbeat and project-wide commands."""

    name = "connectivity"
    verbose_name = "Connectivity (project)"

    def ready(self) -> None:
        from rest_framework import fields, generics, serializers

        # `Serializer[Model]`, `ListAPIView[Model]`… at run time, as djangorestframework-stubs types them.
        django_stubs_ext.monkeypatch(extra_classes=[generics.GenericAPIView, serializers.BaseSerializer, fields.Field])
