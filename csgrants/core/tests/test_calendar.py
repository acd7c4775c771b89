from datetime import date

import pytest

from csgrants.core.calendar import WorkingCalendar

CAL = WorkingCalendar()

# (submitted on, 10th working day after) worked out by hand against the Belgian legal holidays
# and 11 July; each line names what it exercises.
DUE_DATES = [
    (date(2023, 1, 2), date(2023, 1, 16)),  # plain fortnight, New Year on a Sunday
    (date(2021, 4, 2), date(2021, 4, 19)),  # Good Friday is a working day, Easter Monday is not
    (date(2022, 4, 14), date(2022, 4, 29)),  # Easter Monday 18 April 2022
    (date(2021, 7, 7), date(2021, 7, 22)),  # 11 July on a Sunday (lost), 21 July on a Wednesday
    (date(2023, 7, 10), date(2023, 7, 26)),  # 11 July Tuesday and 21 July Friday
    (date(2022, 7, 8), date(2022, 7, 26)),  # 11 July Monday and 21 July Thursday
    (date(2021, 12, 20), date(2022, 1, 3)),  # year end, Christmas and New Year on Saturdays
    (date(2023, 12, 21), date(2024, 1, 8)),  # year end, Christmas and New Year on Mondays
    (date(2024, 12, 23), date(2025, 1, 8)),  # year end, midweek holidays
    (date(2025, 12, 24), date(2026, 1, 9)),  # year end, Thursday holidays
    (date(2026, 12, 23), date(2027, 1, 8)),  # year end, Friday holidays
    (date(2024, 5, 6), date(2024, 5, 22)),  # Ascension 9 May and Whit Monday 20 May 2024
    (date(2025, 5, 26), date(2025, 6, 11)),  # Ascension 29 May and Whit Monday 9 June 2025
    (date(2026, 4, 1), date(2026, 4, 16)),  # Easter Monday 6 April 2026
    (date(2027, 3, 25), date(2027, 4, 9)),  # Easter Monday 29 March 2027
    (date(2024, 4, 26), date(2024, 5, 14)),  # 1 May and Ascension in one stretch
    (date(2025, 8, 11), date(2025, 8, 26)),  # Assumption on a Friday
    (date(2021, 10, 28), date(2021, 11, 15)),  # All Saints and Armistice
    (date(2025, 11, 7), date(2025, 11, 24)),  # Armistice on a Tuesday
    (date(2026, 11, 28), date(2026, 12, 11)),  # submitted on a Saturday
    (date(2026, 7, 21), date(2026, 8, 4)),  # submitted on a holiday
    (date(2022, 5, 23), date(2022, 6, 8)),  # Ascension and Whit Monday 2022
    (date(2023, 10, 30), date(2023, 11, 14)),  # All Saints on a Wednesday, Armistice on a Saturday
    (date(2027, 7, 19), date(2027, 8, 3)),  # 21 July 2027 on a Wednesday
]


@pytest.mark.parametrize(("submitted", "due"), DUE_DATES)
def test_due_date_is_tenth_working_day(submitted, due):
    assert CAL.due_date(submitted, 10) == due


def test_flemish_community_day_and_legal_holidays_are_closed():
    assert not CAL.is_working_day(date(2023, 7, 11))
    assert not CAL.is_working_day(date(2024, 4, 1))  # Easter Monday
    assert CAL.is_working_day(date(2024, 3, 29))  # Good Friday is not a Belgian holiday
    assert not CAL.is_working_day(date(2026, 11, 28))  # Saturday


def test_extra_closing_days_are_skipped():
    cal = WorkingCalendar([date(2023, 1, 3)])
    assert cal.due_date(date(2023, 1, 2), 10) == date(2023, 1, 17)


def test_pause_pushes_the_due_date_by_the_paused_working_days():
    # Requested Wednesday 4 Jan, answered Monday 9 Jan: 5, 6 and 9 January do not count.
    paused = [(date(2023, 1, 4), date(2023, 1, 9))]
    assert CAL.due_date(date(2023, 1, 2), 10, paused) == date(2023, 1, 19)
    assert CAL.elapsed(date(2023, 1, 2), date(2023, 1, 19), paused) == 10


def test_working_days_between_is_start_exclusive_end_inclusive():
    assert CAL.working_days_between(date(2023, 1, 2), date(2023, 1, 3)) == 1
    assert CAL.working_days_between(date(2023, 1, 2), date(2023, 1, 2)) == 0
    assert CAL.working_days_between(date(2023, 1, 6), date(2023, 1, 9)) == 1  # weekend skipped
