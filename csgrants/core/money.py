"""Money is Decimal, to the cent, never float; this module is the one place that reads an amount
a person or a file typed (issue 19: one parser, one rounding rule).

Reading. Three spellings, each strict, none guessed from the other:

- ``MACHINE``: files (the history import's CSV) and the API: ``9200``, ``9200.5``, ``9200.00``
  -- a dot before the decimals, no thousands separator, no exponent. The API also takes JSON
  numbers (an int, or a float read back from its shortest form: ``12.3`` -> ``12.3``).
- ``DUTCH`` (the Dutch UI): ``9.200,00``, ``9200``, ``9200,5``, ``€ 9.200``: a comma before the
  decimals, dots grouping thousands by three.
- ``ENGLISH`` (the English UI): ``9,200.00``, ``9200.5``: the other way round.

A separator followed by exactly three digits means thousands in the other language: ``9,200``
in the Dutch UI (or ``9.200`` in the English one) is refused as ambiguous, never read as 9.2 or
as 9200. Always refused: an exponent (``1e5``), NaN and infinities, booleans, floats outside
MACHINE, and more digits than the field holds (``max_digits``, by default the 14 of the database
columns, 12 before the decimal mark).

Rounding. What is typed is never rounded: more decimals than the field has (two for money) is
an error, as contracts/api.md and history-import.md require ("at most two decimals"). Only
computed amounts are rounded, half-up to the cent (``round_cents``, ``percentage_of``).
"""

from __future__ import annotations

import functools
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14  # DecimalField(max_digits=14, decimal_places=2)
MONEY_PLACES = 2
MAX_AMOUNT = Decimal("999999999999.99")  # the largest amount those columns hold


class Digits(TypedDict):
    max_digits: int
    decimal_places: int


# Every money column: DecimalField(..., **MONEY_DIGITS).
MONEY_DIGITS: Digits = {"max_digits": MAX_DIGITS, "decimal_places": MONEY_PLACES}

MACHINE = "machine"
DUTCH = "nl"
ENGLISH = "en"

_MAX_TEXT = 64  # characters; no amount anyone types is longer
_PATTERNS = {
    MACHINE: re.compile(r"(?P<sign>-?)(?P<int>\d+)(?:\.(?P<frac>\d+))?"),
    DUTCH: re.compile(r"(?P<sign>-?)(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<frac>\d+))?"),
    ENGLISH: re.compile(r"(?P<sign>-?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"),
}
_GROUP = {DUTCH: ".", ENGLISH: ","}
_DECIMAL_MARK = {MACHINE: ".", DUTCH: ",", ENGLISH: "."}
_EXAMPLE = {MACHINE: "9200.00", DUTCH: "9.200,00", ENGLISH: "9,200.00"}
# What people paste around an amount in the UI; never part of a file's or the API's amount.
_NOISE = re.compile(r"€|EUR|[\s\u00a0\u202f]", re.IGNORECASE)


class AmountError(ValueError):
    """An amount refused, with a stable `code` (invalid, ambiguous, negative, places, digits)
    and a translatable message; callers name the field (form error, API problem, FILE:LINE)."""

    def __init__(self, code: str, message, params: dict | None = None):
        self.code = code
        self._template, self._params = message, params
        super().__init__(code)

    @property
    def message(self) -> str:
        """In the language active where it is shown, not where it was raised."""
        return str(self._template) % self._params if self._params else str(self._template)

    def __str__(self) -> str:
        return self.message


def style_for_language(language: str | None) -> str:
    """The spelling of the UI language: English for `en*`, Dutch otherwise (the default)."""
    return ENGLISH if (language or "")[:2] == "en" else DUTCH


def _refuse_digits(places: int, max_digits: int):
    return AmountError(
        "digits",
        _("Too many digits: at most %(digits)s before the decimal mark."),
        {"digits": max_digits - places},
    )


def _refuse_places(places: int):
    if places == 0:
        return AmountError("places", _("Enter a whole number."))
    return AmountError("places", _("Use at most %(places)s decimals."), {"places": places})


def _check(
    amount: Decimal, *, places: int, max_digits: int, signed: bool, quantize: bool = True
) -> Decimal:
    """Sign, decimals and digits of a finite Decimal, read from its digits (no context
    arithmetic, so that 1e400 or ten thousand nines cannot overflow anything)."""
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    if sign and any(digits) and not signed:
        raise AmountError("negative", _("Enter an amount of zero or more."))
    significant = list(digits)
    while len(significant) > 1 and significant[-1] == 0 and exponent < 0:
        significant.pop()
        exponent += 1
    decimals = max(0, -exponent)
    if not any(digits):
        decimals = 0
    whole = len(significant) + exponent if any(digits) else 0
    if whole > max_digits - places:
        raise _refuse_digits(places, max_digits)
    if decimals > places:
        raise _refuse_places(places)
    if not any(digits):
        amount = Decimal(0)  # no "-0"
    return amount.quantize(Decimal(1).scaleb(-places)) if quantize else amount


def parse_amount(
    value,
    *,
    style: str = MACHINE,
    places: int = MONEY_PLACES,
    max_digits: int = MAX_DIGITS,
    signed: bool = False,
    quantize: bool = True,
) -> Decimal:
    """The Decimal that `value` spells in `style`, with exactly `places` decimals (as read,
    without `quantize`); AmountError otherwise. `value` is a str, or (machine style only, as
    JSON gives them) an int or a float; a Decimal is taken as it is. Negative amounts only with
    `signed`."""
    check = functools.partial(
        _check, places=places, max_digits=max_digits, signed=signed, quantize=quantize
    )
    if isinstance(value, bool):
        raise AmountError("invalid", _("Enter an amount, not true or false."))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError("invalid", _("Enter a finite amount."))
        return check(value)
    if isinstance(value, int) and style == MACHINE:
        return check(Decimal(value))
    if isinstance(value, float) and style == MACHINE:
        if not math.isfinite(value):
            raise AmountError("invalid", _("Enter a finite amount."))
        return check(Decimal(repr(value)))
    if not isinstance(value, str):
        raise AmountError("invalid", _("Enter an amount as text or a number."))
    text = value.strip()
    if style != MACHINE:
        text = _NOISE.sub("", text)
    if len(text) > _MAX_TEXT:
        raise _refuse_digits(places, max_digits)
    match = _PATTERNS[style].fullmatch(text)
    if match is None:
        raise AmountError(
            "invalid",
            _("Enter an amount such as %(example)s."),
            {"example": _EXAMPLE[style]},
        )
    whole, frac = match["int"], match["frac"] or ""
    if style != MACHINE and len(frac) == 3 and places < 3 and len(whole) <= 3:
        # 9,200 (Dutch UI) or 9.200 (English UI): nine thousand two hundred written the other
        # language's way, or 9.2 with a stray zero? Asking is cheaper than a wrong grant.
        raise AmountError(
            "ambiguous",
            _(
                "%(value)s is ambiguous: write %(thousands)s for thousands or put the decimals "
                "after %(mark)s."
            ),
            {
                "value": text,
                "thousands": f"{whole}{_GROUP[style]}{frac}",
                "mark": _DECIMAL_MARK[style],
            },
        )
    if style in _GROUP:
        whole = whole.replace(_GROUP[style], "")
    digits = whole.lstrip("0")
    if len(digits) > max_digits - places:
        raise _refuse_digits(places, max_digits)
    number = Decimal(f"{match['sign']}{whole or '0'}.{frac or '0'}")
    return check(number)


def parse_money(value, *, style: str = MACHINE) -> Decimal:
    """An amount in euro: zero or more, at most two decimals, what the database columns hold."""
    return parse_amount(value, style=style)


def money_argument(value, *, field: str) -> Decimal:
    """An amount handed to a service (a Decimal from a form or the API, machine text from any
    other caller): parse_money, refused as ValidationFailed naming `field`."""
    from csgrants.core.errors import ValidationFailed

    try:
        return parse_money(value)
    except AmountError as exc:
        raise ValidationFailed(exc.message, field=field, code="INVALID_AMOUNT") from exc


def format_amount(
    amount: Decimal | int, *, style: str = MACHINE, places: int | None = MONEY_PLACES
) -> str:
    """An amount written back into a form field of `style`, without grouping so that it reads
    back unchanged: 9200,00 (Dutch), 9200.00 (English, machine). `places=None`: as it is."""
    amount = Decimal(amount)
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places))
    text = f"{amount:f}"
    return text.replace(".", ",") if style == DUTCH else text


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
