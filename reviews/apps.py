from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Joint cross-functional account reviews: the cadence they are due on, the pack, minutes and decisions."""

    name = "reviews"

    def ready(self) -> None:
        from reviews import actions, timeline  # noqa: F401 - register the timeline provider and page actions
