"""Template helpers for forms: Bootstrap classes and accessible error wiring on any Django widget."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
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
