from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from organization import services
from organization.models import User


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The bell's list: newest first; POST marks them all read."""
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    if request.method == "POST":
        services.mark_notifications_read(user=request.user, now=timezone.now())
        return redirect("notifications")
    items = request.user.notifications.all()[:100]
    return render(request, "organization/notifications.html", {"items": items})
