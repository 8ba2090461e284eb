from django.apps import AppConfig


class ConnectivityConfig(AppConfig):
    """The project package as an app: health checks, the worker heartbeat and project-wide commands."""

    name = "connectivity"
    verbose_name = "Connectivity (project)"
