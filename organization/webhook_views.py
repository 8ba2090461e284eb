from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organization import policies
from organization.webhooks import selectors


@login_required
def webhook_deliveries(request: HttpRequest) -> HttpResponse:
    """Admins: the latest webhook deliveries and how their last attempt went."""
    if not policies.can_see_webhook_deliveries(person=request.user):
        raise PermissionDenied("Only admins see webhook deliveries.")
    return render(request, "organization/webhooks.html", {"deliveries": selectors.latest_deliveries(limit=200)})
