"""How drf-spectacular documents our API-client token authentication."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiClientTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "organization.api.authentication.ApiClientTokenAuthentication"
    name = "ApiClientToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client's token, from `manage.py create_api_client` (shown once).",
        }
