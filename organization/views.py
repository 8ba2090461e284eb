from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from kernel.paging import CappedPaginator
from organization import services
from organization.models import User

NOTIFICATIONS_PAGE = 50


@login_required
@vary_on_headers("HX-Request")
def notifications(request: HttpRequest) -> HttpResponse:
    """The bell's list: newest first; POST marks them all read."""
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    if request.method == "POST":
        services.mark_notifications_read(user=request.user, now=timezone.now())
        return redirect("notifications")
    # An executive is notified of every escalation: count no further than the cap, page the rest.
    page = CappedPaginator(request.user.notifications.all(), NOTIFICATIONS_PAGE).get_page(request.GET.get("page"))
    template = "organization/notifications.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "notification-rows":
        template += "#notification-rows"
    return render(request, template, {"page": page, "query": ""})
