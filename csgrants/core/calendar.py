"""Working days of the agency: Monday to Friday, except the ten Belgian legal public holidays
(1 Jan, Easter Monday, 1 May, Ascension, Whit Monday, 21 Jul, 15 Aug, 1 Nov, 11 Nov, 25 Dec),
11 July (day of the Flemish Community) and the extra closing days an administrator configures.
No replacement days: a holiday on a weekend is simply lost.

Counting convention (used for due dates and processing time alike): a period runs from a start
date *exclusive* to an end date *inclusive*, so a file submitted on Monday and decided on Tuesday
took one working day, and the due date is the 10th working day after submission.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

FLEMISH_COMMUNITY_DAY = (7, 11)
_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _legal_holidays(year: int) -> frozenset[date]:
    days = set(holidays.country_holidays("BE", years=year).keys())
    days.add(date(year, *FLEMISH_COMMUNITY_DAY))
    return frozenset(days)


class WorkingCalendar:
    """Working days with a per-year index (a cumulative count per day of the year, built once
    per year and calendar), so that counting and adding working days costs a few lookups: the
    history import prices a million files with these same functions."""

    def __init__(self, extra_closed: Iterable[date] = ()):
        self.extra_closed = frozenset(extra_closed)
        self._years: dict[int, list[int]] = {}

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in _legal_holidays(d.year) and d not in self.extra_closed

    def _year(self, year: int) -> list[int]:
        """cum[i] = working days from 1 January up to and including day i of `year` (0-based)."""
        cum = self._years.get(year)
        if cum is None:
            cum, total, d = [], 0, date(year, 1, 1)
            while d.year == year:
                total += self.is_working_day(d)
                cum.append(total)
                d += _DAY
            self._years[year] = cum  # whole lists only: concurrent readers see one or the other
        return cum

    def _upto(self, d: date) -> int:
        """Working days from 1 January of d's year up to and including d."""
        return self._year(d.year)[d.timetuple().tm_yday - 1]

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself never counts)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start
        year = start.year
        target = self._upto(start) + n  # counted from 1 January of `year`
        while True:
            cum = self._year(year)
            if target <= cum[-1]:
                return date(year, 1, 1) + timedelta(days=bisect.bisect_left(cum, target))
            target -= cum[-1]
            year += 1

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]. Zero when end <= start."""
        if end <= start:
            return 0
        count = self._upto(end) - self._upto(start)
        for year in range(start.year, end.year):
            count += self._year(year)[-1]
        return count

    def due_date(
        self, submitted_on: date, term: int, paused: Iterable[tuple[date, date]] = ()
    ) -> date:
        """The decision due date: `term` working days after submission, pushed back by the working
        days the clock was paused. A pause runs from the information request (exclusive) to the
        answer (inclusive): the day the provider answers does not count against the agency."""
        paused_days = sum(self.working_days_between(a, b) for a, b in paused)
        return self.add_working_days(submitted_on, term + paused_days)

    def elapsed(
        self, submitted_on: date, until: date, paused: Iterable[tuple[date, date]] = ()
    ) -> int:
        """Working days the agency used between submission and `until`, pauses excluded."""
        total = self.working_days_between(submitted_on, until)
        return max(0, total - sum(self.working_days_between(a, min(b, until)) for a, b in paused))


def default_calendar() -> WorkingCalendar:
    """The calendar with the administrator's closing days from the database."""
    from csgrants.core.models import ClosingDay
    from csgrants.core.reference import cached

    return cached(
        "calendar", lambda: WorkingCalendar(ClosingDay.objects.values_list("day", flat=True))
    )
