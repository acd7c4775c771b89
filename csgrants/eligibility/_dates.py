"""Calendar arithmetic shared by the de minimis window and the four-year rule.

A period "of three years ending on" a date runs back to the same calendar day; where that day
does not exist (29 February in a common year) the EU convention for periods expressed in years
(Regulation 1182/71, art. 3(2)(c)) takes the last day of that month, 28 February.
"""

from __future__ import annotations

import calendar
from datetime import date


def same_day_years_earlier(value: date, years: int) -> date:
    year = value.year - years
    if value.month == 2 and value.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return value.replace(year=year)


def month_day_in_year(year: int, month: int, day: int) -> date:
    """The (month, day) in ``year``; 29 February becomes 28 February in a common year, so that a
    fiscal year ending on the last day of February ends on the 28th three years out of four."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)
