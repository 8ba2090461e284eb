from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from organization import services
from organization.models import ApiClient, AuditEvent, Department, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]  # the stubs expect AbstractUser
    ordering = ["full_name"]
    list_display = ["email", "full_name", "role", "department", "manager", "is_active"]
    list_filter = ["role", "department", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_select_related = ["department", "manager"]
    autocomplete_fields = ["department", "manager"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "role", "department", "manager")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "full_name", "role", "department", "password1", "password2")},
        ),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "slug", "lead"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["lead"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    list_display = ["name", "department", "can_read", "can_write", "is_active", "last_used_at"]
    list_filter = ["is_active", "can_write", "department"]
    readonly_fields = ["token_prefix", "last_used_at", "created_at", "updated_at"]
    fields = ["name", "department", "can_read", "can_write", "is_active", *readonly_fields]

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # New clients go through the service so the token is generated, hashed, and shown exactly once.
        client, token = services.create_api_client(
            name=obj.name, department=obj.department, can_read=obj.can_read, can_write=obj.can_write
        )
        obj.pk = client.pk
        obj.refresh_from_db()
        messages.warning(request, f"Token for {client.name} (shown once, copy it now): {token}")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The audit log, read-only: rows are only ever added, by organization.audit.record()."""

    list_display = ["created_at", "kind", "user", "api_client", "path", "ip"]
    list_filter = ["kind"]
    search_fields = ["path", "user__email", "api_client__name", "ip"]
    list_select_related = ["user", "api_client"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
