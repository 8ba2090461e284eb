"""The main pages of the app, on the demo data, for the page-by-page browser checks (accessibility, phone width)."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

DEMO_ROLES = ["alice@example.com", "dana@example.com", "bob@example.com", "erin@example.com", "admin@example.com"]


def seed_demo() -> None:
    call_command("seed_demo", "--quiet", "--seed", "1")


def main_pages() -> list[tuple[str, str]]:
    """(name, path) of every main page, with a real account, issue and plan of the demo data that every demo role
    may open (not a confidential account's: those answer 404 to most of them, which is right but no main page)."""
    from accounts.models import Account
    from actionplans.models import ActionPlan
    from feedback.models import Issue

    account = Account.objects.filter(is_confidential=False).order_by("pk").first()
    issue = Issue.objects.filter(account__is_confidential=False).order_by("pk").first()
    plan = ActionPlan.objects.filter(account__is_confidential=False).order_by("pk").first()
    assert account and issue and plan  # the demo data has them
    return [
        ("home", reverse("home")),
        ("accounts list", reverse("accounts:list")),
        ("account detail", reverse("accounts:detail", args=[account.pk])),
        ("quick log", reverse("feedback:log")),
        ("inbox", reverse("feedback:inbox")),
        ("issue detail", reverse("feedback:issue-detail", args=[issue.pk])),
        ("plans list", reverse("actionplans:list")),
        ("plan detail", reverse("actionplans:detail", args=[plan.pk])),
        ("what I owe", reverse("actionplans:mine")),
        ("dashboard", reverse("dashboards:priority")),
        ("KPIs", reverse("dashboards:kpis")),
        ("scorecards", reverse("dashboards:scorecards")),
        ("notifications", reverse("notifications")),
        ("search", reverse("feedback:search") + "?q=delivery"),
    ]
