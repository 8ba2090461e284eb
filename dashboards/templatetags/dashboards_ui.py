"""Display helpers for KPIs and health: units, changes against the previous period, bands in words and colour."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

HEALTH_WORDS = {"green": "Healthy", "yellow": "Watch", "red": "At risk"}


@register.filter
def kpi_value(value: float | None, unit: str) -> str:
    """78 %, 5.2 h, 3.1 d, 4.2 / 5, or — where the denominator was empty."""
    if value is None:
        return "—"
    if unit == "share":
        return f"{value:.0%}".replace("%", " %")
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "days":
        return f"{value:.1f} d"
    if unit == "rating":
        return f"{value:.2f} / 5"
    if unit == "nps":
        return f"{value:+.0f}" if value else "0"
    return f"{value:g}"


@register.simple_tag
def kpi_change(current: float | None, previous: float | None, unit: str, higher_is_better: bool) -> SafeString:
    """The change against the previous period, with an arrow and the word better/worse (never colour alone)."""
    if current is None or previous is None:
        return format_html('<span class="kpi-change text-body-secondary">{}</span>', "no comparison")
    diff = current - previous
    if unit == "share":
        amount = f"{abs(diff) * 100:.0f} pts"
    elif unit == "rating":
        amount = f"{abs(diff):.2f}"
    else:
        amount = f"{abs(diff):.1f} {'h' if unit == 'hours' else 'd'}"
    if amount.startswith("0 ") or amount in {"0.00", "0.0 h", "0.0 d"}:
        return format_html('<span class="kpi-change kpi-same">{}</span>', "= unchanged")
    better = (diff > 0) == higher_is_better
    return format_html(
        '<span class="kpi-change {}">{} {} · {}</span>',
        "kpi-better" if better else "kpi-worse",
        "▲" if diff > 0 else "▼",
        amount,
        "better" if better else "worse",
    )


@register.simple_tag
def health_badge(score: int | None, band: str | None, at_risk: bool = False) -> SafeString:
    if score is None or band is None:
        return format_html('<span class="text-body-secondary small">{}</span>', "not yet")
    badge = format_html(
        '<span class="badge health health-{}" title="Account health {} of 100">{} · {}</span>',
        band,
        score,
        score,
        HEALTH_WORDS[band],
    )
    if at_risk:
        return format_html(
            '{} <span class="badge text-bg-light border border-danger-subtle" title="{}">{}</span>',
            badge,
            "Good ratings, but contact is falling or overdue, or a promise was broken",
            "satisfied but at risk",
        )
    return badge
