from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """One-on-one contact logs and the issues they raise, routed unfiltered to department inboxes."""

    name = "feedback"

    def ready(self) -> None:
        from feedback import account_actions, timeline  # noqa: F401 - register timeline providers, page actions
