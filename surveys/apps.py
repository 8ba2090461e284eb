from django.apps import AppConfig


class SurveysConfig(AppConfig):
    """Asking the customer: the annual perception survey and after-resolution pulses, their private links, and
    the answers that come back as work (issues, proposed plans)."""

    name = "surveys"
