"""Small builders for contract JSON, so that each test states only what it is about."""

from __future__ import annotations

from typing import Any


def period(year: int, awu: Any, turnover: Any, balance: Any, month_day: str = "12-31") -> dict:
    return {
        "year_end": f"{year}-{month_day}",
        "staff_awu": awu,
        "turnover_eur": str(turnover),
        "balance_sheet_eur": str(balance),
    }


def relation(
    name: str,
    pct: Any = 0,
    *,
    voting: Any = None,
    direction: str = "upstream",
    control: bool = False,
    category: str | None = None,
    investment: Any = None,
    jointly: list[str] | None = None,
    periods: list[dict] | None = None,
) -> dict:
    return {
        "name": name,
        "direction": direction,
        "capital_pct": pct,
        "voting_pct": pct if voting is None else voting,
        "control": control,
        "investor_category": category,
        "investment_eur": investment,
        "acting_jointly_with": jointly or [],
        "periods": periods or [],
    }


def sme(periods: list[dict], relations: list[dict] | None = None, kind: str = "kmo") -> dict:
    return {
        "enterprise": {"name": "A", "kind": kind, "periods": periods},
        "relations": relations or [],
    }


def one_year(awu: Any, turnover: Any, balance: Any, relations=None, kind="kmo") -> dict:
    return sme([period(2024, awu, turnover, balance)], relations, kind)


# The contract's SME example, verbatim.
CONTRACT_SME = {
    "enterprise": {
        "name": "A",
        "kind": "kmo",
        "periods": [
            {
                "year_end": "2024-12-31",
                "staff_awu": 180,
                "turnover_eur": "30000000",
                "balance_sheet_eur": "45000000",
            },
            {
                "year_end": "2023-12-31",
                "staff_awu": 170,
                "turnover_eur": "28000000",
                "balance_sheet_eur": "44000000",
            },
        ],
    },
    "relations": [
        {
            "name": "C",
            "direction": "upstream",
            "capital_pct": 30,
            "voting_pct": 30,
            "control": False,
            "investor_category": None,
            "investment_eur": None,
            "acting_jointly_with": [],
            "periods": [
                {
                    "year_end": "2024-12-31",
                    "staff_awu": 200,
                    "turnover_eur": "40000000",
                    "balance_sheet_eur": "20000000",
                }
            ],
        }
    ],
}

# The contract's de minimis example, verbatim.
CONTRACT_DE_MINIMIS = {
    "grant_date": "2024-03-01",
    "amount_eur": "15000.00",
    "fiscal_year_end": "12-31",
    "prior_aid": [
        {"granted_on": "2022-05-01", "amount_eur": "190000.00", "description": "kmo-portefeuille"}
    ],
}
