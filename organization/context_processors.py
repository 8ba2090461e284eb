from typing import Any

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count behind the bell in the navigation, computed only when a page renders it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        return int(user.notifications.filter(read_at__isnull=True).count())

    return {"unread_notifications": unread}
