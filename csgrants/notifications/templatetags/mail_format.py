from django import template

from csgrants.core.money import format_eur

register = template.Library()


@register.filter
def eur(value):
    """Flemish money notation in mails: € 1.234,56."""
    return format_eur(value)
