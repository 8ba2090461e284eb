from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.idempotency import idempotent
from organization import selectors, services
from organization.api.authentication import ApiClientPrincipal
from organization.api.permissions import HasApiScope, IsAdminUserOrWriteClient
from organization.models import Department, Role, User


class MeApi(APIView):
    """Who is calling: the logged-in user, or the internal system that owns the token."""

    @extend_schema_serializer(component_name="DepartmentRef")
    class DepartmentRefSerializer(serializers.Serializer[Department]):
        id = serializers.IntegerField()
        name = serializers.CharField()
        slug = serializers.CharField()

    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(choices=["user", "api_client"])
        id = serializers.IntegerField()
        name = serializers.CharField()
        email = serializers.EmailField(allow_null=True)
        role = serializers.ChoiceField(choices=Role.choices, allow_null=True)
        department = serializers.SerializerMethodField()
        scopes = serializers.ListField(child=serializers.CharField())

        def get_department(self, obj: dict[str, Any]) -> dict[str, Any] | None:
            department = obj["department"]
            return None if department is None else MeApi.DepartmentRefSerializer(department).data

    @extend_schema(responses=OutputSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        user = request.user
        if isinstance(user, ApiClientPrincipal):
            client = user.client
            data = {
                "kind": "api_client",
                "id": client.pk,
                "name": client.name,
                "email": None,
                "role": None,
                "department": client.department,
                "scopes": client.scopes,
            }
        else:
            user = cast(User, user)  # session auth: a real User
            data = {
                "kind": "user",
                "id": user.pk,
                "name": user.full_name,
                "email": user.email,
                "role": user.role,
                "department": user.department,
                "scopes": ["read", "write"],
            }
        return Response(self.OutputSerializer(data).data)


class DepartmentListApi(generics.ListAPIView[Department]):
    """Departments of the company, with their lead. Admins and write clients may add one."""

    permission_classes = [HasApiScope, IsAdminUserOrWriteClient]
    cursor_ordering = ("name", "id")

    @extend_schema_serializer(component_name="Department")
    class OutputSerializer(serializers.ModelSerializer[Department]):
        lead: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
            read_only=True, allow_null=True, help_text="The lead's user id; null while the department has none."
        )
        member_count = serializers.IntegerField(read_only=True)

        class Meta:
            model = Department
            fields = ["id", "name", "slug", "lead", "member_count", "created_at", "updated_at"]

    @extend_schema_serializer(component_name="DepartmentCreate")
    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=100)
        slug = serializers.SlugField(max_length=100, required=False, allow_blank=False)

    serializer_class = OutputSerializer

    def get_queryset(self) -> QuerySet[Department]:
        return selectors.departments_with_counts()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        department = services.create_department(**incoming.validated_data)
        department = selectors.departments_with_counts().get(pk=department.pk)
        return Response(self.OutputSerializer(department).data, status=status.HTTP_201_CREATED)
