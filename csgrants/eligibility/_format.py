"""How amounts, figures and dates read in messages: the Flemish way in Dutch (€ 1.234,56,
27/11/2026), the English way in English (€1,234.56), in the one money format of csgrants
(csgrants.core.money.format_eur). Dates are day/month/year in both, as on
every other screen of csgrants."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def _group(whole: str, sep: str) -> str:
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sep.join(groups) or "0"


def _split(value: Decimal, places: int) -> tuple[str, str, str]:
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places else value
    sign = "-" if q < 0 else ""
    text = f"{abs(q):.{places}f}"
    whole, _, frac = text.partition(".")
    return sign, whole, frac


def number(value: Decimal, lang: str, places: int = 2) -> str:
    """A figure with at most ``places`` decimals and no trailing zeros: 240, 12,5 / 12.5."""
    sign, whole, frac = _split(Decimal(value), places)
    frac = frac.rstrip("0")
    thousands, decimal_mark = (".", ",") if lang == "nl" else (",", ".")
    text = _group(whole, thousands)
    return f"{sign}{text}{decimal_mark}{frac}" if frac else f"{sign}{text}"


def money(value: Decimal, lang: str) -> str:
    """€ 52.000,00 / €52,000.00: always to the cent."""
    from csgrants.core.money import format_eur

    return format_eur(Decimal(value), lang)


def amount(value: Decimal, lang: str) -> str:
    """52.000,00 / 52,000.00, without the currency (for ranges: EUR 9.200,00 - 35.000,00)."""
    sign, whole, frac = _split(Decimal(value), 2)
    thousands, decimal_mark = (".", ",") if lang == "nl" else (",", ".")
    return f"{sign}{_group(whole, thousands)}{decimal_mark}{frac}"


def money_short(value: Decimal, lang: str) -> str:
    """Company figures (turnover, balance sheet): the one money format, to the cent."""
    return money(value, lang)


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def pick(lang: str, nl: str, en: str) -> str:
    return en if lang == "en" else nl
