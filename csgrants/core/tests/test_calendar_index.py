"""core.calendar counts with a per-year index; it must agree with a plain walk over the days,
across year ends (issue 19: the import's own index shifted there) and closing days."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csgrants.core.calendar import WorkingCalendar

CALENDAR = WorkingCalendar([date(2023, 5, 2), date(2024, 12, 24)])
days = st.dates(min_value=date(2018, 1, 1), max_value=date(2027, 12, 31))


def walk_between(start, end):
    count, d = 0, start + timedelta(days=1)
    while d <= end:
        count += CALENDAR.is_working_day(d)
        d += timedelta(days=1)
    return count


def walk_add(start, n):
    d = start
    while n > 0:
        d += timedelta(days=1)
        n -= CALENDAR.is_working_day(d)
    return d


@settings(max_examples=300, deadline=None)
@given(start=days, span=st.integers(min_value=-40, max_value=900), n=st.integers(0, 400))
def test_the_index_agrees_with_a_walk_over_the_days(start, span, n):
    end = start + timedelta(days=span)
    assert CALENDAR.working_days_between(start, end) == walk_between(start, end)
    assert CALENDAR.add_working_days(start, n) == walk_add(start, n)


def test_a_period_across_a_year_end():
    # Tue 20 Dec 2022 -> Thu 5 Jan 2023: 3 + 5 + 4 (Christmas and New Year fell on Sundays).
    assert WorkingCalendar().working_days_between(date(2022, 12, 20), date(2023, 1, 5)) == 12
    assert WorkingCalendar().add_working_days(date(2022, 12, 20), 10) == date(2023, 1, 3)
