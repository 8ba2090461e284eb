from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Joint cross-functional account reviews: the cadence they are due on, the pack, minutes and decisions."""

    name = "reviews"
