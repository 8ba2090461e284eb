"""Template helpers: Bootstrap classes and accessible error wiring on form widgets, and sparklines."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def control(field: BoundField) -> SafeString:
    """Render a field's widget with Bootstrap's class, `is-invalid` and `aria-describedby` for its messages."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    attrs: dict[str, str | bool] = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        attrs["class"] = f"{attrs['class']} is-invalid"
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def add_class_sm(field: BoundField) -> SafeString:
    """A compact select or input for filter bars."""
    widget = field.field.widget
    css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
    return field.as_widget(attrs={"class": css})


@register.simple_tag
def sparkline(values: list[float | None], labels: list[str], low: float, high: float, name: str) -> SafeString:
    """A small line as inline SVG (no script, no colour-only meaning): gaps where there is no value, and the
    numbers themselves in its accessible name, e.g. "Rating by month: Dec 4.5, Jan none, …"."""
    width, height, pad = 96, 24, 2
    step = (width - 2 * pad) / max(1, len(values) - 1)
    segments: list[list[str]] = [[]]
    dots = []
    for i, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        x = pad + i * step
        y = height - pad - (float(value) - low) / (high - low) * (height - 2 * pad)
        segments[-1].append(f"{x:.1f},{y:.1f}")
        dots.append((f"{x:.1f}", f"{y:.1f}"))
    text = ", ".join(f"{label} {'none' if v is None else f'{v:g}'}" for label, v in zip(labels, values, strict=False))
    lines = format_html_join("", '<polyline points="{}"/>', ((" ".join(seg),) for seg in segments if len(seg) > 1))
    points = format_html_join("", '<circle cx="{}" cy="{}" r="1.6"/>', dots)
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}: {}">'
        "<title>{}: {}</title>{}{}</svg>",
        width,
        height,
        width,
        height,
        name,
        text,
        name,
        text,
        lines,
        points,
    )
