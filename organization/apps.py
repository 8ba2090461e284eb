from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    """The company side: users (email login), departments and API clients of internal systems."""

    name = "organization"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from organization import (
            audit,  # noqa: F401 - connects the login, failed-login and lock-out receivers
            selectors,
        )
        from organization.api import schema  # noqa: F401 - registers the OpenAPI auth extension
        from organization.models import ApiClient

        # A token's client is cached for a minute (organization.api.authentication): any change to the client
        # (revoked, scopes, department) ends that at once.
        post_save.connect(selectors.forget_saved_api_client, sender=ApiClient, dispatch_uid="api-client-saved")
        post_delete.connect(selectors.forget_saved_api_client, sender=ApiClient, dispatch_uid="api-client-deleted")
