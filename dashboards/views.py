from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import call_next_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page after login: who to call next, and where each area of the product begins."""
    areas = [
        ("Accounts", reverse("accounts:list"), "Customers ranked by strategic priority, and who to call next."),
        ("Inbox", reverse("feedback:inbox"), "What customers said, routed to your department in their own words."),
        ("Plans", "/plans/", "Action plans and the promises we made to customers."),
        ("Dashboard", "/dashboard/", "Priority accounts and the five customer KPIs."),
    ]
    due = call_next_for_user(user=request.user, today=timezone.localdate()).count()
    return render(request, "dashboards/home.html", {"areas": areas, "calls_due": due})
