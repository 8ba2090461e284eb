from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    """The company side: users (email login), departments and API clients of internal systems."""

    name = "organization"
