"""Dates the Flemish way whatever the interface language (27/11/2026, architecture.md,
convention 13) and amounts in the one money format of csgrants: € 1.234,56 in Dutch, €1,234.56
in English (csgrants.core.money.format_eur). Explicit filters instead of the locale formats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

from csgrants.core.money import format_eur

register = template.Library()


@register.filter
def eur(value):
    """€ 1.234,56 (English: €1,234.56); empty for None or a value that is not an amount."""
    if value is None or value == "":
        return ""
    try:
        return format_eur(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ""


@register.filter
def fdate(value):
    """27/11/2026."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


@register.filter
def fdatetime(value):
    """27/11/2026 14:05 in the agency's time zone."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M")


@register.filter
def pct(value):
    """50 % the Flemish way: 50 %, 45,5 %."""
    if value is None or value == "":
        return ""
    try:
        d = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return ""
    text = f"{d:f}".replace(".", ",")
    return f"{text} %"


@register.filter
def num(value):
    """A plain number with a decimal comma (headcounts: 12,5)."""
    if value is None or value == "":
        return ""
    try:
        d = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    whole, _, frac = f"{abs(d):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    out = ".".join(groups) + ("," + frac if frac else "")
    return ("-" if d < 0 else "") + out


@register.filter
def a11y(bound_field):
    """Render a form field with its help text and error message tied to it for screen readers
    (WCAG 3.3.1: errors identified in text and programmatically associated)."""
    attrs = {}
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)
