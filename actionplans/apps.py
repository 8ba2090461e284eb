from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    """Action plans, promises kept, and escalation of what stays unresolved."""

    name = "actionplans"

    def ready(self) -> None:
        from actionplans import actions, timeline  # noqa: F401 - register the timeline providers and page actions
