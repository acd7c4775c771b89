"""Money is Decimal, to the cent, rounded half-up (never float)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypedDict

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # what DecimalField(max_digits=14, decimal_places=2) holds


class Digits(TypedDict):
    max_digits: int
    decimal_places: int


# Every money column: DecimalField(..., **MONEY_DIGITS).
MONEY_DIGITS: Digits = {"max_digits": 14, "decimal_places": 2}


def to_money(value) -> Decimal:
    """Parse a str/int/Decimal amount to two decimals. Floats and bools are refused: they lose
    cents silently."""
    if isinstance(value, bool | float):
        raise ValueError("amount must be a string or a whole number, not a float")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than Decimal's precision
        raise ValueError(f"amount out of range: {value!r}") from exc


def round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def percentage_of(amount: Decimal, rate_pct: Decimal) -> Decimal:
    """rate_pct is a percentage (45, 50, 35.5); the result is rounded to the cent, half-up."""
    return round_cents(amount * rate_pct / Decimal(100))


def format_eur(amount: Decimal | None, language: str | None = None) -> str:
    """The one money format of csgrants, screens, mails, letters and check messages alike:
    € 1.800.000,00 in Dutch, €1,800,000.00 in English. `language` defaults to the active one."""
    if amount is None:
        return ""
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or "nl"
    english = language[:2] == "en"
    q = round_cents(Decimal(amount))
    sign = "-" if q < 0 else ""
    whole, frac = f"{abs(q):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    if english:
        return f"{sign}€{','.join(groups)}.{frac}"
    return f"{sign}€ {'.'.join(groups)},{frac}"
