"""The API's front door: `GET /api/v1/` lists every resource, read from the URL configuration itself."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

NAMESPACE = "api"


def resource_names(patterns: list[Any], prefix: str = "") -> list[str]:
    """The names of the routes under /api/v1/ that take no parameter (the collections and `me`), not the root."""
    names: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            names += resource_names(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and pattern.name and route and "<" not in route:
            names.append(pattern.name)
    return sorted(names)


class ApiRootApi(APIView):
    """Every resource of this API version with its address, and where the schema and its docs are."""

    @extend_schema_serializer(component_name="ApiResource")
    class ResourceSerializer(serializers.Serializer[Any]):
        name = serializers.CharField()
        url = serializers.URLField()

    @extend_schema_serializer(component_name="ApiRoot")
    class OutputSerializer(serializers.Serializer[Any]):
        version = serializers.CharField()
        schema = serializers.URLField()
        docs = serializers.URLField()
        resources = serializers.ListField(child=serializers.DictField())

    @extend_schema(responses=OutputSerializer, operation_id="api_root")
    def get(self, request: Request) -> Response:
        _, api = get_resolver().namespace_dict[NAMESPACE]
        resources = [
            {"name": name, "url": request.build_absolute_uri(reverse(f"{NAMESPACE}:{name}"))}
            for name in resource_names(api.url_patterns)
        ]
        body = {
            "version": "1",
            "schema": request.build_absolute_uri(reverse("api-schema")),
            "docs": request.build_absolute_uri(reverse("api-docs")),
            "resources": self.ResourceSerializer(resources, many=True).data,
        }
        return Response(self.OutputSerializer(body).data)
