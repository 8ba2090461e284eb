"""Small display helpers for accounts: tier badges and contact-cadence status, readable without colour alone."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import Tier
from accounts.selectors import contact_status

register = template.Library()

TIER_CLASS = {
    Tier.STRATEGIC: "tier-strategic",
    Tier.KEY: "tier-key",
    Tier.CORE: "tier-core",
    Tier.MAINTAIN: "tier-maintain",
}


@register.simple_tag
def tier_badge(tier: int) -> SafeString:
    return format_html('<span class="badge {}">{}</span>', TIER_CLASS.get(Tier(tier), ""), Tier(tier).label)


@register.simple_tag
def due_status(due: date | None, today: date) -> SafeString:
    """Green (not due within a week), amber (due within 7 days), red (overdue); the words say it too."""
    if due is None:
        return format_html('<span class="due due-red">{}</span>', "never contacted")
    days = (due - today).days
    if contact_status(due, today) == "overdue":
        return format_html(
            '<span class="due due-red" title="Due {}">{} day{} overdue</span>', due, -days, "" if days == -1 else "s"
        )
    if contact_status(due, today) == "due_soon":
        text = "due today" if days == 0 else ("due tomorrow" if days == 1 else f"due in {days} days")
        return format_html('<span class="due due-amber" title="Due {}">{}</span>', due, text)
    return format_html('<span class="due due-green" title="Due {}">due {}</span>', due, due.strftime("%-d %b"))
