from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    """The company side: users (email login), departments and API clients of internal systems."""

    name = "organization"

    def ready(self) -> None:
        from organization import audit  # noqa: F401 - connects the login, failed-login and lock-out receivers
        from organization.api import schema  # noqa: F401 - registers the OpenAPI auth extension
