from django.apps import AppConfig


class SurveysConfig(AppConfig):
    """Asking the customer: the annual perception survey and after-resolution pulses, their private links, and
    the answers that come back as work (issues, proposed plans)."""

    name = "surveys"

    def ready(self) -> None:
        # Register the signal receivers, the timeline and account-summary providers, and the year-over-year actions.
        from surveys import receivers, summary, timeline, yearly_registry  # noqa: F401
