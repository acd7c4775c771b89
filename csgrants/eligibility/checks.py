"""The formal checks that run when an application is submitted, as small pure functions.

VLAIO checks only formal conditions, on the basis of the declaration on honour (domain.md,
"Automated checks"); each function here takes plain values that the application service has
gathered and returns a ``CheckOutcome``: a stable ``code``, ``pass``/``fail``/``warn``, a
message in Dutch and in English that a reviewer can act on, the ``inputs`` it judged (JSON-ready,
stored with the application so that a decision can be replayed), and, on failure, the rejection
reason code of domain.md that a reviewer would normally use.

``warn`` means the check cannot decide from the data at hand (nothing declared, a region
unknown); a reviewer looks. Sources: SME definition, Recommendation 2003/361/EC Annex (see
``sme.py``); de minimis, Regulation 1407/2013 art. 3 and 2023/2831 art. 3 (see
``de_minimis.py``); the other conditions are the scheme's own (VLAIO eligibility criteria).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from . import _format as fmt
from ._dates import same_day_years_earlier
from .de_minimis import evaluate_de_minimis
from .errors import EligibilityInputError
from .parsing import parse_de_minimis_input, parse_sme_input
from .serialize import de_minimis_answer, sme_answer, two_decimals
from .sme import category_label, evaluate_sme
from .types import AidItem

PASS, FAIL, WARN = "pass", "fail", "warn"

REGIONS = ("flanders", "brussels", "wallonia")
_REGION_LABEL = {
    "nl": {
        "flanders": "Vlaams Gewest",
        "brussels": "Brussels Hoofdstedelijk Gewest",
        "wallonia": "Waals Gewest",
    },
    "en": {
        "flanders": "Flemish Region",
        "brussels": "Brussels-Capital Region",
        "wallonia": "Walloon Region",
    },
}
_KIND_LABEL = {
    "nl": {"kmo": "kmo", "maatwerkbedrijf": "maatwerkbedrijf"},
    "en": {"kmo": "SME", "maatwerkbedrijf": "maatwerkbedrijf (social-economy enterprise)"},
}


@dataclass(frozen=True)
class CheckOutcome:
    code: str
    outcome: str  # PASS, FAIL or WARN
    message_nl: str
    message_en: str
    inputs: dict = field(default_factory=dict)
    # On FAIL: the rejection reason code of domain.md that fits; None where none fits exactly.
    reason_code: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in (PASS, FAIL, WARN):
            raise ValueError(f"outcome must be pass, fail or warn, not {self.outcome!r}")

    def message(self, lang: str = "nl") -> str:
        return self.message_en if lang == "en" else self.message_nl

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "outcome": self.outcome,
            "message_nl": self.message_nl,
            "message_en": self.message_en,
            "inputs": self.inputs,
            "reason_code": self.reason_code,
        }


def _decimal(value: Any, name: str) -> Decimal:
    """Amounts from models are Decimal already; numbers from a stored JSON declaration may be
    int or float, read back from their shortest form as the parsers do (24.9 -> 24.9). A bool is
    a programming error, not a number."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not a boolean")
    try:
        if isinstance(value, Decimal | int):
            result = Decimal(value)
        elif isinstance(value, float):
            result = Decimal(repr(value))
        else:
            result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{name} is not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"{name} is not a finite number: {value!r}")
    return result


def _date(value: date | str, name: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError(f"{name} must be a date or an ISO date string, not {type(value).__name__}")


def _kind(kind: str, lang: str) -> str:
    return _KIND_LABEL[lang].get(kind, kind)


# ---------------------------------------------------------------------------------------------


def check_enterprise_number(valid: bool, number: str | None) -> CheckOutcome:
    """The enterprise number (KBO/BCE) as validated by the caller (python-stdnum)."""
    inputs = {"number": number, "valid": bool(valid)}
    if not number:
        return CheckOutcome(
            "ENTERPRISE_NUMBER",
            FAIL,
            "Geen ondernemingsnummer opgegeven",
            "No enterprise number given",
            inputs,
            "INCOMPLETE_FILE",
        )
    if valid:
        return CheckOutcome(
            "ENTERPRISE_NUMBER",
            PASS,
            f"Ondernemingsnummer {number} is geldig",
            f"Enterprise number {number} is valid",
            inputs,
        )
    return CheckOutcome(
        "ENTERPRISE_NUMBER",
        FAIL,
        f"Ondernemingsnummer {number} is ongeldig (formaat of controlegetal klopt niet)",
        f"Enterprise number {number} is invalid (format or check digits do not match)",
        inputs,
        "INCOMPLETE_FILE",
    )


def check_kind_admitted(kind: str, admitted_kinds: Iterable[str]) -> CheckOutcome:
    """The enterprise kind (kmo, maatwerkbedrijf, ...) is one the policy version admits."""
    admitted = list(admitted_kinds)
    inputs = {"kind": kind, "admitted_kinds": admitted}
    if kind in admitted:
        return CheckOutcome(
            "KIND_ADMITTED",
            PASS,
            f"Soort onderneming {_kind(kind, 'nl')} is toegelaten",
            f"Enterprise kind {_kind(kind, 'en')} is admitted",
            inputs,
        )
    listed_nl = ", ".join(_kind(k, "nl") for k in admitted) or "geen"
    listed_en = ", ".join(_kind(k, "en") for k in admitted) or "none"
    return CheckOutcome(
        "KIND_ADMITTED",
        FAIL,
        f"Soort onderneming {_kind(kind, 'nl')} is niet toegelaten (toegelaten: {listed_nl})",
        f"Enterprise kind {_kind(kind, 'en')} is not admitted (admitted: {listed_en})",
        inputs,
        "OTHER",
    )


def check_sme(sme_json: dict | None, kind: str) -> CheckOutcome:
    """The EU SME definition on the declared figures (contract JSON), via ``evaluate_sme``.

    The application's ``kind`` governs over ``enterprise.kind`` in the figures: a maatwerkbedrijf
    is exempt; any other kind is tested as a kmo. Without figures only the declaration on honour
    backs the SME status, which a reviewer should know (warn).
    """
    inputs: dict[str, Any] = {"kind": kind, "figures": sme_json}
    if kind == "maatwerkbedrijf":
        return CheckOutcome(
            "SME",
            PASS,
            "Maatwerkbedrijf: vrijgesteld van de kmo-toets",
            "Maatwerkbedrijf (social-economy enterprise): exempt from the SME test",
            inputs,
        )
    if sme_json is None:
        return CheckOutcome(
            "SME",
            WARN,
            "Geen cijfers opgegeven: enkel de verklaring op eer staat borg voor de kmo-status",
            "No figures given: only the declaration on honour backs the SME status",
            inputs,
        )
    data = dict(sme_json) if isinstance(sme_json, dict) else sme_json
    if isinstance(data, dict) and isinstance(data.get("enterprise"), dict):
        data["enterprise"] = {**data["enterprise"], "kind": "kmo"}
    try:
        parsed = parse_sme_input(data)
    except EligibilityInputError as exc:
        problems = "; ".join(f"{f}: {m}" for f, m in exc.errors)
        return CheckOutcome(
            "SME",
            WARN,
            f"De kmo-cijfers passen niet in het formaat ({problems}); de kmo-toets kon niet lopen",
            f"The SME figures do not fit the format ({problems}); the SME test could not run",
            inputs,
        )
    nl, en = evaluate_sme(parsed, "nl"), evaluate_sme(parsed, "en")
    inputs["answer"] = sme_answer(nl)
    why_nl = "; ".join(r.message for r in nl.reasons)
    why_en = "; ".join(r.message for r in en.reasons)
    if nl.is_sme:
        return CheckOutcome(
            "SME",
            PASS,
            f"Kmo ({category_label(nl.category, 'nl')}): {why_nl}",
            f"SME ({category_label(en.category, 'en')}): {why_en}",
            inputs,
        )
    public = any(r.code == "PUBLIC_BODY_CONTROL" for r in nl.reasons)
    return CheckOutcome(
        "SME",
        FAIL,
        f"Geen kmo: {why_nl}",
        f"Not an SME: {why_en}",
        inputs,
        "PUBLIC_BODY_CONTROL" if public else "NOT_SME",
    )


def check_public_participation(pct: Decimal | int | str | None) -> CheckOutcome:
    """Participation of public authorities below 25% (VLAIO criterion 3; Annex art. 3(4))."""
    if pct is None:
        return CheckOutcome(
            "PUBLIC_PARTICIPATION",
            WARN,
            "Publieke participatie niet opgegeven",
            "Public participation not declared",
            {"pct": None},
        )
    value = _decimal(pct, "pct")
    inputs = {"pct": str(value)}
    if not 0 <= value <= 100:
        return CheckOutcome(
            "PUBLIC_PARTICIPATION",
            WARN,
            f"Publieke participatie {value}% is geen percentage tussen 0 en 100",
            f"Public participation {value}% is not a percentage between 0 and 100",
            inputs,
        )
    nl, en = f"{fmt.number(value, 'nl')}%", f"{fmt.number(value, 'en')}%"
    if value < 25:
        return CheckOutcome(
            "PUBLIC_PARTICIPATION",
            PASS,
            f"Publieke participatie {nl} ligt onder 25%",
            f"Public participation {en} is below 25%",
            inputs,
        )
    return CheckOutcome(
        "PUBLIC_PARTICIPATION",
        FAIL,
        f"Publieke participatie {nl} is 25% of meer",
        f"Public participation {en} is 25% or more",
        inputs,
        "PUBLIC_BODY_CONTROL",
    )


def check_negative_equity(flag: bool | None) -> CheckOutcome:
    """No negative equity on the filing date (VLAIO criterion 6); ``flag`` True means negative."""
    inputs = {"negative_equity": flag}
    if flag is None:
        return CheckOutcome(
            "NEGATIVE_EQUITY",
            WARN,
            "Niet opgegeven of het eigen vermogen negatief is",
            "Not declared whether equity is negative",
            inputs,
        )
    if flag:
        return CheckOutcome(
            "NEGATIVE_EQUITY",
            FAIL,
            "Negatief eigen vermogen op de datum van indiening",
            "Negative equity on the filing date",
            inputs,
            "NEGATIVE_EQUITY",
        )
    return CheckOutcome(
        "NEGATIVE_EQUITY",
        PASS,
        "Geen negatief eigen vermogen op de datum van indiening",
        "No negative equity on the filing date",
        inputs,
    )


def check_flemish_region(
    seat_region: str | None, establishment_regions: Iterable[str | None]
) -> CheckOutcome:
    """The registered office or at least one establishment unit in the Flemish Region.

    Regions are ``flanders``, ``brussels``, ``wallonia`` or None (unknown, e.g. no postal code);
    anything else is a programming error and raises ``ValueError``.
    """
    establishments = [r or None for r in establishment_regions]
    seat = seat_region or None
    for region in [seat, *establishments]:
        if region is not None and region not in REGIONS:
            raise ValueError(f"unknown region {region!r}; expected one of {REGIONS} or None")
    inputs = {"seat_region": seat, "establishment_regions": establishments}
    if seat == "flanders":
        return CheckOutcome(
            "FLEMISH_REGION",
            PASS,
            "Maatschappelijke zetel in het Vlaams Gewest",
            "Registered office in the Flemish Region",
            inputs,
        )
    if "flanders" in establishments:
        where_nl = _REGION_LABEL["nl"].get(seat or "", "onbekend")
        where_en = _REGION_LABEL["en"].get(seat or "", "unknown")
        return CheckOutcome(
            "FLEMISH_REGION",
            PASS,
            f"Vestigingseenheid in het Vlaams Gewest (zetel: {where_nl})",
            f"Establishment unit in the Flemish Region (registered office: {where_en})",
            inputs,
        )
    if seat is None or None in establishments:
        return CheckOutcome(
            "FLEMISH_REGION",
            WARN,
            "Gewest van de zetel of van een vestigingseenheid onbekend; geen ervan ligt "
            "aantoonbaar in het Vlaams Gewest",
            "Region of the registered office or of an establishment unit unknown; none is shown "
            "to lie in the Flemish Region",
            inputs,
        )
    found = sorted({r for r in (seat, *establishments) if r is not None}, key=REGIONS.index)
    return CheckOutcome(
        "FLEMISH_REGION",
        FAIL,
        "Zetel en vestigingseenheden liggen buiten het Vlaams Gewest ("
        + ", ".join(_REGION_LABEL["nl"][r] for r in found)
        + ")",
        "Registered office and establishment units lie outside the Flemish Region ("
        + ", ".join(_REGION_LABEL["en"][r] for r in found)
        + ")",
        inputs,
        "OUTSIDE_FLEMISH_REGION",
    )


def _first_allowed(decided_on: date, years: int) -> date:
    """The first submission date at which an approval on ``decided_on`` no longer blocks, with
    the same calendar arithmetic as the check itself (29 February looks back to 28 February)."""
    candidate = decided_on.replace(year=decided_on.year + years, day=min(decided_on.day, 28))
    while same_day_years_earlier(candidate, years) < decided_on:
        candidate += timedelta(days=1)
    return candidate


def check_recent_trajectory(
    previous_approvals: Iterable[tuple[str, date]],
    submitted_on: date,
    years: int = 4,
    *,
    pending_elsewhere: int = 0,
) -> CheckOutcome:
    """Once per four years: no trajectory approved for the same enterprise after the same
    calendar day ``years`` years before the submission date. An approval dated after the
    submission date (a parallel file decided meanwhile) blocks too; the caller leaves out the
    application under test itself.

    ``pending_elsewhere`` counts the enterprise's other files, of any provider, that wait for a
    confirmation or a decision: nothing blocks yet, but only one of them can be approved, so a
    reviewer looks (warn). The message names none of them: a provider reads it too, and another
    provider's file is not its business."""
    approvals = [(ref, _date(d, "decided_on")) for ref, d in previous_approvals]
    cutoff = same_day_years_earlier(submitted_on, years)
    blocking = sorted((a for a in approvals if a[1] > cutoff), key=lambda a: a[1])
    inputs = {
        "previous_approvals": [[ref, d.isoformat()] for ref, d in approvals],
        "submitted_on": submitted_on.isoformat(),
        "years": years,
    }
    if pending_elsewhere:
        inputs["pending_elsewhere"] = pending_elsewhere
    if not blocking and pending_elsewhere:
        return CheckOutcome(
            "RECENT_TRAJECTORY",
            WARN,
            f"Geen traject goedgekeurd in de {years} jaar voor {fmt.day(submitted_on)}, maar "
            "er loopt nog een ander dossier voor deze onderneming: slechts één ervan kan "
            "worden goedgekeurd",
            f"No trajectory approved in the {years} years before {fmt.day(submitted_on)}, but "
            "another file for this enterprise is pending: only one of them can be approved",
            inputs,
        )
    if not blocking:
        return CheckOutcome(
            "RECENT_TRAJECTORY",
            PASS,
            f"Geen traject goedgekeurd in de {years} jaar voor {fmt.day(submitted_on)}",
            f"No trajectory approved in the {years} years before {fmt.day(submitted_on)}",
            inputs,
        )
    nl, en = [], []
    for ref, decided in blocking:
        again = fmt.day(_first_allowed(decided, years))
        nl.append(
            f"Traject {ref} goedgekeurd op {fmt.day(decided)}, minder dan {years} jaar voor de "
            f"indiening op {fmt.day(submitted_on)} (opnieuw mogelijk vanaf {again})"
        )
        en.append(
            f"Trajectory {ref} approved on {fmt.day(decided)}, less than {years} years before "
            f"the submission on {fmt.day(submitted_on)} (possible again from {again})"
        )
    return CheckOutcome(
        "RECENT_TRAJECTORY", FAIL, "; ".join(nl), "; ".join(en), inputs, "RECENT_TRAJECTORY"
    )


def _range(low: Decimal | None, high: Decimal | None, lang: str) -> str:
    if low is not None and high is not None:
        return f"{fmt.money(low, lang)} - {fmt.money(high, lang)}"
    if low is not None:
        return f"{fmt.pick(lang, 'vanaf', 'from')} {fmt.money(low, lang)}"
    assert high is not None, "a range has at least one bound"
    return f"{fmt.pick(lang, 'tot', 'up to')} {fmt.money(high, lang)}"


def check_package_and_cost(
    package_code: str,
    admitted_packages: Iterable[str],
    cost: Decimal | int | str | None,
    min_cost: Decimal | int | str | None,
    max_cost: Decimal | int | str | None,
) -> CheckOutcome:
    """The main package is admitted by the policy version and the quoted cost lies within its
    admissible range (bounds included; a bound of None means no bound)."""
    admitted = list(admitted_packages)
    low = None if min_cost is None else _decimal(min_cost, "min_cost")
    high = None if max_cost is None else _decimal(max_cost, "max_cost")
    amount = None if cost is None else _decimal(cost, "cost")
    inputs = {
        "package_code": package_code,
        "admitted_packages": admitted,
        "cost": None if amount is None else two_decimals(amount),
        "min_cost": None if low is None else two_decimals(low),
        "max_cost": None if high is None else two_decimals(high),
    }
    nl, en, reasons = [], [], []
    if package_code not in admitted:
        nl.append(
            f"Pakket {package_code} is niet toegelaten "
            f"(toegelaten: {', '.join(admitted) or 'geen'})"
        )
        en.append(
            f"Package {package_code} is not admitted (admitted: {', '.join(admitted) or 'none'})"
        )
        reasons.append("OTHER")
    if amount is None:
        nl.append("Geen kostprijs opgegeven")
        en.append("No cost given")
        reasons.append("INCOMPLETE_FILE")
    elif (low is not None and amount < low) or (high is not None and amount > high):
        nl.append(
            f"Kostprijs {fmt.money(amount, 'nl')} ligt buiten het toegelaten bereik "
            f"{_range(low, high, 'nl')}"
        )
        en.append(
            f"Cost {fmt.money(amount, 'en')} lies outside the admissible range "
            f"{_range(low, high, 'en')}"
        )
        reasons.append("COST_OUT_OF_RANGE")
    if reasons:
        # The cost is what a provider can correct and what reviewers count, so its code leads.
        lead = "COST_OUT_OF_RANGE" if "COST_OUT_OF_RANGE" in reasons else reasons[0]
        return CheckOutcome("PACKAGE_COST", FAIL, "; ".join(nl), "; ".join(en), inputs, lead)
    if low is None and high is None:
        within_nl, within_en = (
            "er is geen toegelaten bereik ingesteld",
            "no admissible range is set",
        )
    else:
        assert amount is not None  # a missing cost failed above
        within_nl = (
            f"kostprijs {fmt.money(amount, 'nl')} ligt binnen het toegelaten bereik "
            f"{_range(low, high, 'nl')}"
        )
        within_en = (
            f"cost {fmt.money(amount, 'en')} lies within the admissible range "
            f"{_range(low, high, 'en')}"
        )
    return CheckOutcome(
        "PACKAGE_COST",
        PASS,
        f"Pakket {package_code} is toegelaten; {within_nl}",
        f"Package {package_code} is admitted; {within_en}",
        inputs,
    )


def _aid_json(item: AidItem | dict) -> dict:
    if isinstance(item, AidItem):
        return {
            "granted_on": item.granted_on.isoformat(),
            "amount_eur": str(item.amount_eur),
            "description": item.description,
        }
    return item


def check_de_minimis(
    grant_date: date | str,
    amount: Decimal | int | str,
    declared_prior_aid: Iterable[AidItem | dict] | None,
    granted_by_us: Iterable[AidItem | dict],
    *,
    fiscal_year_end: str = "12-31",
) -> CheckOutcome:
    """De minimis headroom (Regulation 1407/2013 art. 3 / 2023/2831 art. 3) on the aid declared
    on honour plus the aid this scheme granted itself (items as ``AidItem`` or contract JSON).

    Our own grants are often declared too; an own grant with the same date and amount as a
    declared item is counted once (one-to-one), any other is added. ``declared_prior_aid`` None
    means nothing was declared: the check can still fail on our own grants, but cannot pass.
    """
    declared = [_aid_json(a) for a in (declared_prior_aid or [])]
    ours = [_aid_json(a) for a in granted_by_us]
    grant = grant_date.isoformat() if isinstance(grant_date, date) else grant_date
    amount_text = str(amount) if isinstance(amount, Decimal | int | str) else amount
    data = {
        "grant_date": grant,
        "amount_eur": amount_text,
        "fiscal_year_end": fiscal_year_end,
        "prior_aid": declared + ours,
    }
    inputs: dict[str, Any] = {
        "grant_date": grant,
        "amount_eur": amount_text,
        "fiscal_year_end": fiscal_year_end,
        "declared_prior_aid": None if declared_prior_aid is None else declared,
        "granted_by_us": ours,
    }
    try:
        parsed = parse_de_minimis_input(data)
    except EligibilityInputError as exc:
        problems = "; ".join(f"{f}: {m}" for f, m in exc.errors)
        return CheckOutcome(
            "DE_MINIMIS",
            WARN,
            f"De de-minimisgegevens passen niet in het formaat ({problems})",
            f"The de minimis data do not fit the format ({problems})",
            inputs,
        )
    # One-to-one matching of our own grants against declared items with the same date and
    # amount: the declared list comes first in prior_aid, ours after it.
    declared_items = list(parsed.prior_aid[: len(declared)])
    counted = list(declared_items)
    duplicates = 0
    for item in parsed.prior_aid[len(declared) :]:
        match = next(
            (
                d
                for d in declared_items
                if d.granted_on == item.granted_on and d.amount_eur == item.amount_eur
            ),
            None,
        )
        if match is not None:
            declared_items.remove(match)
            duplicates += 1
        else:
            counted.append(item)
    parsed = type(parsed)(
        grant_date=parsed.grant_date,
        amount_eur=parsed.amount_eur,
        prior_aid=tuple(counted),
        fiscal_year_end=parsed.fiscal_year_end,
    )
    nl, en = evaluate_de_minimis(parsed, "nl"), evaluate_de_minimis(parsed, "en")
    inputs["answer"] = de_minimis_answer(nl)
    message_nl, message_en = nl.message, en.message
    if duplicates:
        message_nl += f" ({duplicates} eigen toekenning(en) ook verklaard, één keer geteld)"
        message_en += f" ({duplicates} own grant(s) also declared, counted once)"
    if not nl.eligible:
        return CheckOutcome(
            "DE_MINIMIS", FAIL, message_nl, message_en, inputs, "DE_MINIMIS_CEILING"
        )
    if declared_prior_aid is None:
        return CheckOutcome(
            "DE_MINIMIS",
            WARN,
            "Geen verklaring over eerdere de-minimissteun; enkel eigen toekenningen geteld. "
            + message_nl,
            "No declaration of prior de minimis aid; only own grants counted. " + message_en,
            inputs,
        )
    return CheckOutcome("DE_MINIMIS", PASS, message_nl, message_en, inputs)


def check_budget_available(
    available: Decimal | int | str, amount: Decimal | int | str
) -> CheckOutcome:
    """The provider's available budget covers the subsidy to commit (domain.md, budget ledger)."""
    have, need = _decimal(available, "available"), _decimal(amount, "amount")
    inputs = {"available": two_decimals(have), "amount": two_decimals(need)}
    if have >= need:
        return CheckOutcome(
            "BUDGET",
            PASS,
            f"Beschikbaar budget {fmt.money(have, 'nl')} dekt {fmt.money(need, 'nl')}",
            f"Available budget {fmt.money(have, 'en')} covers {fmt.money(need, 'en')}",
            inputs,
        )
    return CheckOutcome(
        "BUDGET",
        FAIL,
        f"Beschikbaar budget {fmt.money(have, 'nl')} is onvoldoende voor {fmt.money(need, 'nl')}",
        f"Available budget {fmt.money(have, 'en')} is not enough for {fmt.money(need, 'en')}",
        inputs,
        "BUDGET_EXHAUSTED",
    )
