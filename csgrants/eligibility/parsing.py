"""Turn the contract's JSON (``shared/contracts/eligibility.md``) into typed, validated inputs.

Input that does not fit the contract never gets a verdict: every problem is collected and raised
together as one ``EligibilityInputError`` whose fields read like ``relations[0].capital_pct``, so
that a provider can fix the whole file in one go.

Numbers (money, annual work units, percentages) may be JSON numbers or numeric strings; they
become ``Decimal`` without passing through binary floating point arithmetic (a JSON number that
Python parsed as float is read back from its shortest representation, ``12.3`` -> ``12.3``).
Read by core.money's one parser (machine spelling: 9200.00; no exponent, no thousands separator).
Refused: booleans, NaN, infinities, text that is not a plain decimal number, negative values,
money with more than two decimals (cents), other figures with more than six decimals, and
values above 10^13, which no real enterprise reaches and which would only make the arithmetic
misbehave. Dates are strictly ``YYYY-MM-DD`` between 1900 and 2999.

Fields that the contract does not know are ignored, so that clients may send more than we read.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from django.utils.translation import gettext as _

from csgrants.core.money import AmountError, parse_amount

from .errors import EligibilityInputError
from .types import (
    AidItem,
    DeMinimisInput,
    Direction,
    EnterpriseFigures,
    EnterpriseKind,
    InvestorCategory,
    Period,
    Relation,
    SmeInput,
)

MAX_NUMBER = Decimal(10) ** 13
_MAX_WHOLE_DIGITS = 14  # 10^13 has fourteen
MONEY_PLACES = 2
FIGURE_PLACES = 6
MIN_YEAR, MAX_YEAR = 1900, 2999

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_DAY_RE = re.compile(r"(\d{2})-(\d{2})")
_MAX_NUMBER_TEXT = 40  # characters; a longer numeric string is not a figure from accounts

_MISSING: Any = object()


class _Errors:
    """Collects (field, message) pairs while parsing goes on, so that all are reported."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append((field, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise EligibilityInputError(errors=self.items)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, list | tuple):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__


def _number(
    value: Any,
    field: str,
    errors: _Errors,
    *,
    places: int,
    maximum: Decimal = MAX_NUMBER,
    what: str = "",
) -> Decimal | None:
    """Read with core's one parser (machine spelling, as the API takes amounts); the messages
    are this contract's, in the active language."""
    what = what or _("a number")
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        errors.add(
            field,
            _("must be %(what)s (a JSON number or a numeric string), not %(type)s")
            % {"what": what, "type": _type_name(value)},
        )
        return None
    try:
        result = parse_amount(
            value, places=places, max_digits=places + _MAX_WHOLE_DIGITS, quantize=False
        )
    except AmountError as exc:
        if exc.code == "negative" and maximum == 100:
            errors.add(field, _("must be between 0 and 100"))
        elif exc.code == "negative":
            errors.add(field, _("must not be negative"))
        elif exc.code == "digits":
            errors.add(
                field,
                _("must be between 0 and 100") if maximum == 100 else _("must be at most 10^13"),
            )
        elif exc.code == "places" and places == MONEY_PLACES:
            errors.add(
                field, _("must have at most %(places)d decimals (cents)") % {"places": places}
            )
        elif exc.code == "places":
            errors.add(field, _("must have at most %(places)d decimals") % {"places": places})
        elif isinstance(value, float) or (isinstance(value, Decimal) and not value.is_finite()):
            errors.add(field, _("must be %(what)s, finite") % {"what": what})
        else:
            errors.add(
                field,
                _("must be %(what)s; %(value)s is not a number")
                % {"what": what, "value": repr(str(value)[:_MAX_NUMBER_TEXT])},
            )
        return None
    if maximum == 100 and result > 100:
        errors.add(field, _("must be between 0 and 100"))
        return None
    if result > maximum:
        errors.add(field, _("must be at most 10^13"))
        return None
    return result


def _money(value: Any, field: str, errors: _Errors) -> Decimal | None:
    return _number(value, field, errors, places=MONEY_PLACES, what=_("an amount in euro"))


def _figure(value: Any, field: str, errors: _Errors) -> Decimal | None:
    return _number(value, field, errors, places=FIGURE_PLACES)


def _percentage(value: Any, field: str, errors: _Errors) -> Decimal | None:
    return _number(
        value,
        field,
        errors,
        places=FIGURE_PLACES,
        maximum=Decimal(100),
        what=_("a percentage (0-100)"),
    )


def _date(value: Any, field: str, errors: _Errors) -> date | None:
    if not isinstance(value, str):
        errors.add(
            field,
            _("must be a date written YYYY-MM-DD, not %(type)s") % {"type": _type_name(value)},
        )
        return None
    # Checked before fromisoformat, which since Python 3.11 also admits 20240301 and week dates.
    if not _DATE_RE.fullmatch(value):
        errors.add(
            field,
            _("must be a date written YYYY-MM-DD; %(value)s is not") % {"value": repr(value[:40])},
        )
        return None
    try:
        result = date.fromisoformat(value)
    except ValueError:
        errors.add(field, _("%(value)s is not a date on the calendar") % {"value": repr(value)})
        return None
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        errors.add(
            field,
            _("must lie between %(first)s and %(last)s") % {"first": MIN_YEAR, "last": MAX_YEAR},
        )
        return None
    return result


def _text(value: Any, field: str, errors: _Errors, *, required: bool) -> str | None:
    if value is _MISSING or value is None:
        if required:
            errors.add(field, _("is required"))
            return None
        return ""
    if not isinstance(value, str):
        errors.add(field, _("must be a string, not %(type)s") % {"type": _type_name(value)})
        return None
    if required and not value.strip():
        errors.add(field, _("must not be empty"))
        return None
    return value


def _choice(value: Any, field: str, errors: _Errors, enum: type[Enum], *, required: bool) -> Any:
    allowed = ", ".join(member.value for member in enum)
    if value is _MISSING or value is None:
        if required:
            errors.add(field, _("is required (one of %(allowed)s)") % {"allowed": allowed})
        return None
    if not isinstance(value, str):
        errors.add(
            field,
            _("must be one of %(allowed)s, not %(type)s")
            % {"allowed": allowed, "type": _type_name(value)},
        )
        return None
    try:
        return enum(value)
    except ValueError:
        errors.add(
            field,
            _("unknown value %(value)s; expected one of %(allowed)s")
            % {"value": repr(value[:40]), "allowed": allowed},
        )
        return None


def _object(value: Any, field: str, errors: _Errors) -> dict | None:
    if value is _MISSING:
        errors.add(field, _("is required"))
        return None
    if not isinstance(value, dict):
        errors.add(field, _("must be an object, not %(type)s") % {"type": _type_name(value)})
        return None
    return value


def _list(value: Any, field: str, errors: _Errors, *, required: bool) -> list | None:
    if value is _MISSING or value is None:
        if required:
            errors.add(field, _("is required"))
            return None
        return []
    if not isinstance(value, list | tuple):
        errors.add(field, _("must be a list, not %(type)s") % {"type": _type_name(value)})
        return None
    return list(value)


def _required(obj: dict, key: str, field: str, errors: _Errors) -> Any:
    value = obj.get(key, _MISSING)
    if value is _MISSING or value is None:
        errors.add(field, _("is required"))
        return _MISSING
    return value


# ---------------------------------------------------------------------------------------------
# SME definition


def _period(raw: Any, path: str, errors: _Errors) -> Period | None:
    obj = _object(raw, path, errors)
    if obj is None:
        return None
    values: dict[str, Any] = {}
    ok = True
    for key, parse in (
        ("year_end", _date),
        ("staff_awu", _figure),
        ("turnover_eur", _money),
        ("balance_sheet_eur", _money),
    ):
        field = _join(path, key)
        value = _required(obj, key, field, errors)
        parsed = None if value is _MISSING else parse(value, field, errors)
        if parsed is None:
            ok = False
        values[key] = parsed
    return Period(**values) if ok else None


def _periods(raw: Any, path: str, errors: _Errors, *, required: bool) -> tuple[Period, ...]:
    items = _list(raw, path, errors, required=required)
    if items is None:
        return ()
    if required and not items:
        errors.add(path, _("must hold at least one accounting period"))
        return ()
    periods: list[Period] = []
    seen: dict[int, int] = {}
    for index, item in enumerate(items):
        period = _period(item, f"{path}[{index}]", errors)
        if period is None:
            continue
        # Relations are matched to the enterprise's periods by year, so a year may occur once.
        year = period.year_end.year
        if year in seen:
            errors.add(
                f"{path}[{index}].year_end",
                _("a second period ending in %(year)s (also %(other)s)")
                % {"year": year, "other": f"{path}[{seen[year]}]"},
            )
            continue
        seen[year] = index
        periods.append(period)
    return tuple(periods)


def _relation(raw: Any, path: str, errors: _Errors) -> Relation | None:
    obj = _object(raw, path, errors)
    if obj is None:
        return None
    before = len(errors.items)
    name = _text(obj.get("name", _MISSING), _join(path, "name"), errors, required=True)
    direction = _choice(
        obj.get("direction", _MISSING), _join(path, "direction"), errors, Direction, required=True
    )
    pct = {}
    for key in ("capital_pct", "voting_pct"):
        field = _join(path, key)
        value = _required(obj, key, field, errors)
        pct[key] = None if value is _MISSING else _percentage(value, field, errors)
    control = obj.get("control")
    if control is None:
        control = False
    elif not isinstance(control, bool):
        errors.add(
            _join(path, "control"),
            _("must be true or false, not %(type)s") % {"type": _type_name(control)},
        )
    category = _choice(
        obj.get("investor_category"),
        _join(path, "investor_category"),
        errors,
        InvestorCategory,
        required=False,
    )
    investment = None
    raw_investment = obj.get("investment_eur")
    if raw_investment is not None:
        investment = _money(raw_investment, _join(path, "investment_eur"), errors)
    elif category is InvestorCategory.BUSINESS_ANGEL:
        # Art. 3(2)(a): the angels' exemption depends on their total investment.
        errors.add(
            _join(path, "investment_eur"),
            _("is required for investor_category business_angel (the total the angels invested)"),
        )
    jointly: list[str] = []
    raw_jointly = _list(
        obj.get("acting_jointly_with"), _join(path, "acting_jointly_with"), errors, required=False
    )
    for index, other in enumerate(raw_jointly or []):
        field = f"{path}.acting_jointly_with[{index}]"
        if not isinstance(other, str):
            errors.add(
                field,
                _("must be the name of another relation, not %(type)s")
                % {"type": _type_name(other)},
            )
        else:
            jointly.append(other)
    periods = _periods(obj.get("periods"), _join(path, "periods"), errors, required=False)
    if len(errors.items) > before:
        return None
    # Without a new error every required value was parsed.
    capital_pct, voting_pct = pct["capital_pct"], pct["voting_pct"]
    assert name is not None and capital_pct is not None and voting_pct is not None
    return Relation(
        name=name,
        direction=direction,
        capital_pct=capital_pct,
        voting_pct=voting_pct,
        control=control,
        investor_category=category,
        investment_eur=investment,
        acting_jointly_with=tuple(jointly),
        periods=periods,
    )


def _check_references(
    relations: list[tuple[int, Relation]], named: set[str], errors: _Errors
) -> None:
    """``acting_jointly_with`` names other upstream relations: investors in the enterprise whose
    holdings are judged together. Holdings of the enterprise in different downstream enterprises
    cannot be added up, so a link involving a downstream relation does not fit the contract."""
    by_name = {relation.name: relation for _, relation in relations}
    for index, relation in relations:
        for j, other in enumerate(relation.acting_jointly_with):
            field = f"relations[{index}].acting_jointly_with[{j}]"
            if other == relation.name:
                errors.add(field, _("a relation cannot act jointly with itself"))
            elif other not in named:
                errors.add(
                    field, _("there is no relation named %(name)s") % {"name": repr(other[:60])}
                )
            elif other in by_name and (
                relation.direction is not Direction.UPSTREAM
                or by_name[other].direction is not Direction.UPSTREAM
            ):
                errors.add(
                    field, _("only upstream relations (investors in the enterprise) act jointly")
                )


def parse_sme_input(data: dict) -> SmeInput:
    """Validate the SME request of the contract and return it typed.

    Raises ``EligibilityInputError`` listing every problem found.
    """
    errors = _Errors()
    if not isinstance(data, dict):
        raise EligibilityInputError(
            "(root)", _("must be a JSON object, not %(type)s") % {"type": _type_name(data)}
        )
    enterprise = None
    raw_enterprise = _object(data.get("enterprise", _MISSING), "enterprise", errors)
    if raw_enterprise is not None:
        kind = _choice(
            raw_enterprise.get("kind", _MISSING),
            "enterprise.kind",
            errors,
            EnterpriseKind,
            required=True,
        )
        name = _text(raw_enterprise.get("name"), "enterprise.name", errors, required=False)
        periods = _periods(
            raw_enterprise.get("periods", _MISSING), "enterprise.periods", errors, required=True
        )
        if kind is not None and name is not None and periods:
            enterprise = EnterpriseFigures(kind=kind, periods=periods, name=name)

    relations: list[tuple[int, Relation]] = []
    names: dict[str, int] = {}
    raw_relations = _list(data.get("relations"), "relations", errors, required=False) or []
    for index, raw in enumerate(raw_relations):
        relation = _relation(raw, f"relations[{index}]", errors)
        if relation is None:
            continue
        if relation.name in names:
            errors.add(
                f"relations[{index}].name",
                _("duplicate name %(name)s (also %(other)s)")
                % {
                    "name": repr(relation.name[:60]),
                    "other": f"relations[{names[relation.name]}]",
                },
            )
            continue
        names[relation.name] = index
        relations.append((index, relation))
    # A relation that failed on another field still has a name; naming it is not a new error.
    named: set[str] = {
        raw["name"]
        for raw in raw_relations
        if isinstance(raw, dict) and isinstance(raw.get("name"), str)
    }
    _check_references(relations, named, errors)
    errors.raise_if_any()
    assert enterprise is not None
    return SmeInput(enterprise=enterprise, relations=tuple(r for _, r in relations))


# ---------------------------------------------------------------------------------------------
# De minimis


def _fiscal_year_end(value: Any, errors: _Errors) -> tuple[int, int] | None:
    field = "fiscal_year_end"
    if value is None:
        return (12, 31)
    if not isinstance(value, str) or not _MONTH_DAY_RE.fullmatch(value):
        shown = value[:20] if isinstance(value, str) else _type_name(value)
        errors.add(
            field,
            _("must be a month and day written MM-DD (e.g. 06-30); %(value)s is not")
            % {"value": repr(shown)},
        )
        return None
    month, day = int(value[:2]), int(value[3:])
    try:
        date(2000, month, day)  # a leap year, so that 02-29 (end of February) is admitted
    except ValueError:
        errors.add(field, _("%(value)s is not a day of the year") % {"value": repr(value)})
        return None
    return (month, day)


def _aid(raw: Any, path: str, errors: _Errors) -> AidItem | None:
    obj = _object(raw, path, errors)
    if obj is None:
        return None
    before = len(errors.items)
    granted = _required(obj, "granted_on", f"{path}.granted_on", errors)
    granted_on = None if granted is _MISSING else _date(granted, f"{path}.granted_on", errors)
    raw_amount = _required(obj, "amount_eur", f"{path}.amount_eur", errors)
    amount = None if raw_amount is _MISSING else _money(raw_amount, f"{path}.amount_eur", errors)
    description = _text(obj.get("description"), f"{path}.description", errors, required=False)
    if len(errors.items) > before:
        return None
    assert granted_on is not None and amount is not None  # required, and no error was added
    # A missing description is "", as the type says (it was None).
    return AidItem(granted_on=granted_on, amount_eur=amount, description=description or "")


def parse_de_minimis_input(data: dict) -> DeMinimisInput:
    """Validate the de minimis request of the contract and return it typed.

    Raises ``EligibilityInputError`` listing every problem found.
    """
    errors = _Errors()
    if not isinstance(data, dict):
        raise EligibilityInputError(
            "(root)", _("must be a JSON object, not %(type)s") % {"type": _type_name(data)}
        )
    raw_grant = _required(data, "grant_date", "grant_date", errors)
    grant_date = None if raw_grant is _MISSING else _date(raw_grant, "grant_date", errors)
    raw_amount = _required(data, "amount_eur", "amount_eur", errors)
    amount = None if raw_amount is _MISSING else _money(raw_amount, "amount_eur", errors)
    fiscal_year_end = _fiscal_year_end(data.get("fiscal_year_end"), errors)
    prior: list[AidItem] = []
    for index, raw in enumerate(
        _list(data.get("prior_aid"), "prior_aid", errors, required=False) or []
    ):
        item = _aid(raw, f"prior_aid[{index}]", errors)
        if item is not None:
            prior.append(item)
    errors.raise_if_any()
    assert grant_date is not None and amount is not None and fiscal_year_end is not None
    return DeMinimisInput(
        grant_date=grant_date,
        amount_eur=amount,
        prior_aid=tuple(prior),
        fiscal_year_end=fiscal_year_end,
    )
