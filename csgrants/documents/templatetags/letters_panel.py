"""The letters panel of a file page (provider and staff): one line in each page."""

from __future__ import annotations

from django import template

from csgrants.core.permissions import has_role
from csgrants.documents.selectors import letters_of, may_read_letters

register = template.Library()


@register.inclusion_tag("documents/_letters_panel.html", takes_context=True)
def letters_panel(context, application):
    user = context["request"].user
    if not may_read_letters(user, application):
        return {"letters": []}
    return {
        "application": application,
        "letters": list(letters_of(application)),
        "can_correct": has_role(user, "reviewer", "admin"),
        "csrf_token": context.get("csrf_token"),
    }
