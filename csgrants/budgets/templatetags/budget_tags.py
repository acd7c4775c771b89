"""Amounts, dates and the trend sparkline for the budget screens. Amounts and dates are shown the
Flemish way (€ 1.234,56; 27/11/2026) in both languages, like the letters the agency sends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from csgrants.core.money import format_eur

register = template.Library()


@register.filter
def budget_eur(value):
    if value is None or value == "":
        return ""
    return format_eur(Decimal(value))


@register.filter
def budget_date(value):
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y")


@register.filter
def budget_month(value):
    """11/2026: compact and language-neutral."""
    return value.strftime("%m/%Y") if value else ""


def sparkline_points(values, width: int = 120, height: int = 28, pad: int = 2) -> str:
    """Polyline points for `values` scaled into the box; a flat line at the bottom when all are
    zero. Coordinates are pixels, not money: float is fine here."""
    values = [float(v) for v in values]
    if not values:
        return ""
    top = max(values) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = []
    for i, v in enumerate(values):
        x = pad + i * step
        y = height - pad - (v / top) * (height - 2 * pad)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


@register.simple_tag
def sparkline(trend, label="", width=120, height=28):
    """A small inline SVG of commitments per month; the numbers are in the table beside it, so
    the picture carries a text alternative that points there."""
    points = sparkline_points(trend.values, width, height)
    title = label or _("Commitments per month over the last 12 months")
    return format_html(
        '<svg class="sparkline" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'aria-label="{t}"><title>{t}</title>'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{p}"/></svg>',
        w=width,
        h=height,
        t=title,
        p=points,
    )
