from __future__ import annotations

from django.utils import translation

from csgrants.core import enterprise_number
from csgrants.core.postal import province_for, region_for, region_for_province
from csgrants.enterprises.models import (
    KboActivity,
    KboAddress,
    KboCode,
    KboDenomination,
    KboEnterprise,
    KboEstablishment,
)

# KBO language codes (code.csv category Language): 1 FR, 2 NL, 3 DE, 4 EN, 0 unknown.
NAME_LANGUAGES = ("2", "1", "3", "4", "0")
# TypeOfDenomination: 001 name, 003 commercial name, 002 abbreviation, 004 branch name.
NAME_TYPES = ("001", "003", "002", "004")
DESCRIPTION_LANGUAGES = ("NL", "FR", "DE", "EN")


def _canonical(number: str) -> str | None:
    try:
        return enterprise_number.normalize(number)
    except enterprise_number.InvalidEnterpriseNumber:
        return None


def _rank(value: str, order: tuple[str, ...]) -> int:
    return order.index(value) if value in order else len(order)


def _best_name(rows) -> str | None:
    """Official name before commercial name before abbreviation; within a kind Dutch first, then
    French, German, English."""
    best = min(
        rows,
        key=lambda d: (
            _rank(d.type_of_denomination, NAME_TYPES),
            _rank(d.language, NAME_LANGUAGES),
        ),
        default=None,
    )
    return best.denomination if best else None


def _descriptions(category_codes: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """code.csv descriptions, in the user's language when KBO has it, else Dutch, French, ..."""
    if not category_codes:
        return {}
    active = (translation.get_language() or "nl")[:2].upper()
    order = (active, *[lang for lang in DESCRIPTION_LANGUAGES if lang != active])
    categories = {c for c, _ in category_codes}
    codes = {code for _, code in category_codes}
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for row in KboCode.objects.filter(category__in=categories, code__in=codes):
        key = (row.category, row.code)
        if key not in category_codes:
            continue
        rank = _rank(row.language, order)
        if key not in found or rank < found[key][0]:
            found[key] = (rank, row.description)
    return {k: v[1] for k, v in found.items()}


def _address(row: KboAddress | None) -> dict | None:
    if row is None:
        return None
    return {
        "street": row.street_nl or row.street_fr,
        "house_number": row.house_number,
        "box": row.box,
        "postal_code": row.zipcode,
        "municipality": row.municipality_nl or row.municipality_fr,
    }


def _belgian(row: KboAddress) -> bool:
    return not row.country_nl and not row.country_fr


def enterprise_lookup(number: str) -> dict | None:
    """Everything the register says about one enterprise (any accepted spelling of the number),
    or None when the number is invalid or not in the register."""
    canonical = _canonical(number)
    if canonical is None:
        return None
    enterprise = KboEnterprise.objects.filter(enterprise_number=canonical).first()
    if enterprise is None:
        return None
    units = sorted(
        KboEstablishment.objects.filter(enterprise_number=canonical),
        key=lambda e: (e.start_date is None, e.start_date, e.establishment_number),
    )
    numbers = [canonical, *[u.establishment_number for u in units]]
    addresses: dict[str, list[KboAddress]] = {}
    for row in KboAddress.objects.filter(entity_number__in=numbers):
        addresses.setdefault(row.entity_number, []).append(row)
    seat = next((a for a in addresses.get(canonical, []) if a.type_of_address == "REGO"), None)
    unit_address = {
        u.establishment_number: next(
            (a for a in addresses.get(u.establishment_number, []) if a.type_of_address == "BAET"),
            next(iter(addresses.get(u.establishment_number, [])), None),
        )
        for u in units
    }

    province = province_for(seat.zipcode) if seat is not None and _belgian(seat) else None
    if province is None:
        # No published (Belgian) seat, as for natural persons: the oldest establishment unit.
        for unit in units:
            row = unit_address.get(unit.establishment_number)
            if row is not None and _belgian(row) and province_for(row.zipcode):
                province = province_for(row.zipcode)
                break

    activities = []
    seen = set()
    for a in KboActivity.objects.filter(entity_number=canonical, classification="MAIN").order_by(
        "-nace_version", "nace_code", "activity_group"
    ):
        if (a.nace_version, a.nace_code) in seen:
            continue  # the same code is often registered for the VAT and the NSSO activity group
        seen.add((a.nace_version, a.nace_code))
        activities.append(a)

    legal_form = enterprise.juridical_form_cac or enterprise.juridical_form
    wanted = {(f"Nace{a.nace_version}", a.nace_code) for a in activities}
    if legal_form:
        wanted.add(("JuridicalForm", legal_form))
    descriptions = _descriptions(wanted)

    return {
        "enterprise_number": canonical,
        "name": _best_name(KboDenomination.objects.filter(entity_number=canonical)),
        "legal_form": legal_form or None,
        "legal_form_description": descriptions.get(("JuridicalForm", legal_form))
        if legal_form
        else None,
        "juridical_situation": enterprise.juridical_situation,
        "type_of_enterprise": enterprise.type_of_enterprise,
        "start_date": enterprise.start_date,
        "seat_address": _address(seat),
        "establishments": [
            {
                "establishment_number": u.establishment_number,
                "start_date": u.start_date,
                "address": _address(unit_address.get(u.establishment_number)),
            }
            for u in units
        ],
        "province": province,
        "region": region_for_province(province),
        "activities": [
            {
                "nace_version": a.nace_version,
                "nace_code": a.nace_code,
                "description": descriptions.get((f"Nace{a.nace_version}", a.nace_code)),
                "classification": a.classification,
            }
            for a in activities
        ],
    }


def enterprise_prefill(number: str) -> dict | None:
    """What the application form can take over from the register: name, postal code (seat, else
    the oldest establishment unit), legal form and the main NACE codes. None when unknown."""
    found = enterprise_lookup(number)
    if found is None:
        return None
    postal_code = (found["seat_address"] or {}).get("postal_code")
    if not postal_code:
        postal_code = next(
            (u["address"]["postal_code"] for u in found["establishments"] if u["address"]), None
        )
    return {
        "enterprise_number": found["enterprise_number"],
        "enterprise_name": found["name"],
        "postal_code": postal_code,
        "legal_form": found["legal_form"],
        "legal_form_description": found["legal_form_description"],
        "nace_codes": [f"{a['nace_version']}:{a['nace_code']}" for a in found["activities"]],
        "province": found["province"],
        "region": found["region"],
    }


def enterprise_regions(
    enterprise, *, declared_postal_code: str | None = None
) -> tuple[str | None, list[str]]:
    """(region of the seat, regions of the establishment units). The register data, when loaded,
    knows the seat and the establishment units; otherwise only the declared postal code is
    known: a file's own seat (`declared_postal_code`), else the enterprise record's."""
    declared = region_for(
        enterprise.postal_code if declared_postal_code is None else declared_postal_code
    )
    if not KboEnterprise.objects.filter(enterprise_number=enterprise.number).exists():
        return declared, []
    units = list(
        KboEstablishment.objects.filter(enterprise_number=enterprise.number).values_list(
            "establishment_number", flat=True
        )
    )
    seat_region = declared
    unit_regions: list[str] = []
    for row in KboAddress.objects.filter(entity_number__in=[enterprise.number, *units]):
        region = region_for(row.zipcode) if _belgian(row) else None
        if row.entity_number == enterprise.number:
            if row.type_of_address == "REGO":
                seat_region = region
        elif region and region not in unit_regions:
            unit_regions.append(region)
    return seat_region, unit_regions


def enterprise_main_activity(number: str) -> tuple[str, str] | None:
    """(NACE code, NACE version) of the enterprise's main activity in the loaded KBO register,
    the newest NACE version first; None when the register has none (or is not loaded)."""
    canonical = _canonical(number)
    if canonical is None:
        return None
    activity = (
        KboActivity.objects.filter(entity_number=canonical, classification="MAIN")
        .order_by("-nace_version", "nace_code", "activity_group")
        .first()
    )
    return (activity.nace_code, activity.nace_version) if activity else None


def kbo_contact_emails_of(numbers) -> dict[str, list[str]]:
    """The e-mail addresses the KBO register lists for each enterprise (by the number as given),
    in one query; none when the register's contact file was not loaded."""
    from csgrants.enterprises.models import KboContact

    canonical = {n: _canonical(n) for n in numbers}
    wanted = {c for c in canonical.values() if c}
    if not wanted:
        return {}
    found: dict[str, set[str]] = {}
    for entity, value in KboContact.objects.filter(
        entity_number__in=wanted, contact_type="EMAIL"
    ).values_list("entity_number", "value"):
        if value and "@" in value:
            found.setdefault(entity, set()).add(value.strip().lower())
    return {n: sorted(found[c]) for n, c in canonical.items() if c in found}
