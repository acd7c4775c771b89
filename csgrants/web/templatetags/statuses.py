"""The status groups of applications.statuses in templates: {% if a.status|in_group:"editable" %}."""

from __future__ import annotations

from django import template

from csgrants.applications import statuses

register = template.Library()

GROUPS = {
    "open": statuses.OPEN_STATUSES,
    "editable": statuses.EDITABLE_STATUSES,
    "granted": statuses.GRANTED_STATUSES,
    "running": statuses.RUNNING_STATUSES,
    "released": statuses.RELEASED_STATUSES,
    "ended": statuses.ENDED_STATUSES,
    "decided": statuses.DECIDED_STATUSES,
}


@register.filter
def in_group(status: str, group: str) -> bool:
    return status in GROUPS[group]
