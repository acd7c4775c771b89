"""De minimis: Regulation 1407/2013 art. 3 (to 2023-12-31) and 2023/2831 art. 3 (from 2024)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from csgrants.eligibility import evaluate_de_minimis, evaluate_de_minimis_json
from csgrants.eligibility.de_minimis import window_for
from csgrants.eligibility.types import AidItem, DeMinimisInput


def request(grant: str, amount: str, *aid: tuple[str, str], fye: str | None = None) -> dict:
    data = {
        "grant_date": grant,
        "amount_eur": amount,
        "prior_aid": [{"granted_on": d, "amount_eur": a, "description": "x"} for d, a in aid],
    }
    if fye is not None:
        data["fiscal_year_end"] = fye
    return data


CEILING_CASES = [
    # (id, request, eligible, cumulated, headroom)
    (
        "2831: exactly at the ceiling is eligible",
        request("2024-06-01", "15000.00", ("2023-01-01", "285000.00")),
        True,
        "285000.00",
        "15000.00",
    ),
    (
        "2831: one cent over is not",
        request("2024-06-01", "15000.00", ("2023-01-01", "285000.01")),
        False,
        "285000.01",
        "14999.99",
    ),
    (
        "1407: exactly at EUR 200,000 is eligible",
        request("2023-06-01", "10000", ("2022-01-01", "190000")),
        True,
        "190000.00",
        "10000.00",
    ),
    (
        "1407: one cent over is not",
        request("2023-06-01", "10000.01", ("2022-01-01", "190000")),
        False,
        "190000.00",
        "10000.00",
    ),
    (
        "already over the ceiling: headroom 0, never negative",
        request("2024-06-01", "0", ("2023-01-01", "350000")),
        False,
        "350000.00",
        "0.00",
    ),
    (
        "no prior aid",
        request("2024-06-01", "300000"),
        True,
        "0.00",
        "300000.00",
    ),
]


@pytest.mark.parametrize(
    ("data", "eligible", "cumulated", "headroom"),
    [c[1:] for c in CEILING_CASES],
    ids=[c[0] for c in CEILING_CASES],
)
def test_ceiling(data, eligible, cumulated, headroom):
    answer = evaluate_de_minimis_json(data)
    assert answer["eligible"] is eligible
    assert answer["cumulated_eur"] == cumulated
    assert answer["headroom_eur"] == headroom


WINDOW_CASES = [
    # (id, grant, fiscal year end, regulation, window start)
    ("contract example", "2024-03-01", None, "2023/2831", "2021-03-02"),
    ("first day of 2023/2831", "2024-01-01", None, "2023/2831", "2021-01-02"),
    ("last day of 1407/2013", "2023-12-31", None, "1407/2013", "2021-01-01"),
    ("1407 early in the year", "2023-01-01", None, "1407/2013", "2021-01-01"),
    (
        "1407 fiscal year to 06-30, before year end",
        "2023-06-15",
        "06-30",
        "1407/2013",
        "2020-07-01",
    ),
    ("1407 fiscal year to 06-30, on year end", "2023-06-30", "06-30", "1407/2013", "2020-07-01"),
    ("1407 fiscal year to 06-30, day after", "2023-07-01", "06-30", "1407/2013", "2021-07-01"),
    ("2831 ignores the fiscal year", "2024-07-01", "06-30", "2023/2831", "2021-07-02"),
    # 29 February, see de_minimis.py.
    ("2831 grant on 29 Feb looks back to 28 Feb", "2024-02-29", None, "2023/2831", "2021-03-01"),
    ("2831 grant on 28 Feb", "2024-02-28", None, "2023/2831", "2021-03-01"),
    ("2831 grant 29 Feb 2028 (2025 common)", "2028-02-29", None, "2023/2831", "2025-03-01"),
    ("2831 grant on 1 Mar 2027, 2024 leap", "2027-03-01", None, "2023/2831", "2024-03-02"),
    (
        "2831 grant on 28 Feb 2027 includes 29 Feb 2024",
        "2027-02-28",
        None,
        "2023/2831",
        "2024-02-29",
    ),
    (
        "1407 fiscal year to end of Feb, common year",
        "2023-03-01",
        "02-29",
        "1407/2013",
        "2021-03-01",
    ),
    (
        "1407 fiscal year to end of Feb, leap grant",
        "2020-02-29",
        "02-29",
        "1407/2013",
        "2017-03-01",
    ),
    ("1407 fiscal year to 02-28 in a leap year", "2020-02-29", "02-28", "1407/2013", "2018-03-01"),
]


@pytest.mark.parametrize(
    ("grant", "fye", "regulation", "start"),
    [c[1:] for c in WINDOW_CASES],
    ids=[c[0] for c in WINDOW_CASES],
)
def test_window(grant, fye, regulation, start):
    answer = evaluate_de_minimis_json(request(grant, "1", fye=fye))
    assert answer["regulation"] == regulation
    assert answer["ceiling_eur"] == ("300000.00" if regulation == "2023/2831" else "200000.00")
    assert answer["window_start"] == start
    assert answer["window_end"] == grant


BOUNDARY_CASES = [
    # (id, grant, fye, aid date, counted)
    (
        "2831: the same calendar day three years earlier is out",
        "2024-03-01",
        None,
        "2021-03-01",
        False,
    ),
    ("2831: the day after is in", "2024-03-01", None, "2021-03-02", True),
    (
        "1407: last day of the third fiscal year back is out",
        "2023-06-15",
        None,
        "2020-12-31",
        False,
    ),
    ("1407: first day of the window is in", "2023-06-15", None, "2021-01-01", True),
    ("1407 06-30: day before window start is out", "2023-06-15", "06-30", "2020-06-30", False),
    ("1407 06-30: window start is in", "2023-06-15", "06-30", "2020-07-01", True),
    ("aid on the grant date is in", "2024-03-01", None, "2024-03-01", True),
    ("aid the day after the grant date is ignored", "2024-03-01", None, "2024-03-02", False),
    ("1407: aid later in the same fiscal year is ignored", "2023-06-15", None, "2023-09-01", False),
]


@pytest.mark.parametrize(
    ("grant", "fye", "aid_date", "counted"),
    [c[1:] for c in BOUNDARY_CASES],
    ids=[c[0] for c in BOUNDARY_CASES],
)
def test_window_boundaries(grant, fye, aid_date, counted):
    answer = evaluate_de_minimis_json(request(grant, "1000", (aid_date, "299500"), fye=fye))
    assert (answer["cumulated_eur"] == "299500.00") is counted
    assert ([a["granted_on"] for a in answer["counted_aid"]] == [aid_date]) is counted
    # 299,500 + 1,000 fits neither ceiling; when the aid is not counted, 1,000 fits both.
    assert answer["eligible"] is not counted


def test_counted_aid_is_sorted_and_keeps_descriptions():
    data = {
        "grant_date": "2024-06-01",
        "amount_eur": 1,
        "prior_aid": [
            {"granted_on": "2023-05-01", "amount_eur": "2", "description": "b"},
            {"granted_on": "2019-01-01", "amount_eur": "99", "description": "old"},
            {"granted_on": "2022-05-01", "amount_eur": 1.5},
        ],
    }
    answer = evaluate_de_minimis_json(data)
    assert answer["counted_aid"] == [
        {"granted_on": "2022-05-01", "amount_eur": "1.50", "description": ""},
        {"granted_on": "2023-05-01", "amount_eur": "2.00", "description": "b"},
    ]
    assert answer["cumulated_eur"] == "3.50"


def test_window_for_defaults_to_calendar_fiscal_year():
    assert window_for(date(2022, 8, 8)) == ("1407/2013", date(2020, 1, 1))


def test_messages_in_both_languages():
    inp = DeMinimisInput(
        grant_date=date(2024, 3, 1),
        amount_eur=Decimal("15000.00"),
        prior_aid=(AidItem(date(2022, 5, 1), Decimal("290000.00"), "kmo-portefeuille"),),
    )
    nl, en = evaluate_de_minimis(inp, "nl"), evaluate_de_minimis(inp, "en")
    assert not nl.eligible
    assert nl.message == (
        "Verordening 2023/2831: € 290.000,00 de-minimissteun ontvangen in 02/03/2021 - "
        "01/03/2024; met deze steun van € 15.000,00 wordt dat € 305.000,00, boven het "
        "plafond van € 300.000,00: deze steun kan niet worden toegekend, ook niet gedeeltelijk"
    )
    assert en.message.endswith(
        "above the ceiling of €300,000.00: this aid cannot be granted, not even in part"
    )
