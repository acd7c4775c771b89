from django import template

from csgrants.core.money import format_eur

register = template.Library()


@register.filter
def eur(value):
    return format_eur(value)


@register.filter
def at(sequence, index):
    try:
        return sequence[index]
    except (IndexError, KeyError, TypeError):
        return ""
