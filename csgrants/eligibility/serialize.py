"""The JSON answers of ``shared/contracts/eligibility.md``, and the one-call entry points that the
API, the ``check_eligibility`` command and the application's automated checks share.

Money and annual work units are strings with two decimals, dates ISO ``YYYY-MM-DD``; periods
oldest first. Nothing is added to the contract's answer shapes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .de_minimis import evaluate_de_minimis
from .parsing import parse_de_minimis_input, parse_sme_input
from .sme import evaluate_sme
from .types import AidItem, DeMinimisResult, Figures, SmeResult

_CENT = Decimal("0.01")


def two_decimals(value: Decimal) -> str:
    return str(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def _figures(f: Figures) -> dict:
    return {
        "staff_awu": two_decimals(f.staff_awu),
        "turnover_eur": two_decimals(f.turnover_eur),
        "balance_sheet_eur": two_decimals(f.balance_sheet_eur),
    }


def sme_answer(result: SmeResult) -> dict:
    newest = result.periods[-1]
    return {
        "is_sme": result.is_sme,
        "category": result.category.value,
        "status": result.status.value,
        "aggregated": {"year_end": newest.year_end.isoformat(), **_figures(newest.aggregated)},
        "periods": [
            {
                "year_end": p.year_end.isoformat(),
                "category": p.category.value,
                "aggregated": _figures(p.aggregated),
            }
            for p in result.periods
        ],
        "relations": [
            {"name": r.name, "treatment": r.treatment.value, "share_pct": two_decimals(r.share_pct)}
            for r in result.relations
        ],
        "reasons": [{"code": r.code, "message": r.message} for r in result.reasons],
    }


def _aid(item: AidItem) -> dict:
    return {
        "granted_on": item.granted_on.isoformat(),
        "amount_eur": two_decimals(item.amount_eur),
        "description": item.description,
    }


def de_minimis_answer(result: DeMinimisResult) -> dict:
    return {
        "eligible": result.eligible,
        "regulation": result.regulation,
        "ceiling_eur": two_decimals(result.ceiling_eur),
        "window_start": result.window_start.isoformat(),
        "window_end": result.window_end.isoformat(),
        "cumulated_eur": two_decimals(result.cumulated_eur),
        "headroom_eur": two_decimals(result.headroom_eur),
        "counted_aid": [_aid(a) for a in result.counted_aid],
    }


def evaluate_sme_json(data: dict, lang: str = "nl") -> dict:
    """Parse, evaluate and answer an SME request; raises ``EligibilityInputError``."""
    return sme_answer(evaluate_sme(parse_sme_input(data), lang))


def evaluate_de_minimis_json(data: dict, lang: str = "nl") -> dict:
    """Parse, evaluate and answer a de minimis request; raises ``EligibilityInputError``."""
    return de_minimis_answer(evaluate_de_minimis(parse_de_minimis_input(data), lang))
