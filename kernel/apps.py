from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "kernel"
    verbose_name = "Shared kernel"

    def ready(self) -> None:
        from django.db import models
        from rest_framework import serializers

        from kernel.api.fields import DateTimeField

        # Every model date-time in every API body is written with a sane offset (kernel.api.fields.DateTimeField).
        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = DateTimeField
