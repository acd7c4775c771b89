"""The declaration on honour: SME figures and relations (shapes of contracts/eligibility.md),
prior de minimis aid, negative equity and public participation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from csgrants.core.errors import ValidationFailed
from csgrants.core.money import AmountError, parse_amount

PCT_PLACES = 6  # as the eligibility contract reads percentages
KNOWN_KEYS = {"sme", "de_minimis_prior_aid", "negative_equity", "public_participation_pct"}


def validate_declaration(declaration) -> dict:
    if not isinstance(declaration, dict):
        raise ValidationFailed(_("The declaration must be an object."), field="declaration")
    errors: list[tuple[str, str]] = []
    unknown = set(declaration) - KNOWN_KEYS
    for key in sorted(unknown):
        errors.append((f"declaration.{key}", _("Unknown field.")))
    out: dict = {
        "sme": declaration.get("sme"),
        "de_minimis_prior_aid": declaration.get("de_minimis_prior_aid") or [],
        "negative_equity": declaration.get("negative_equity", False),
        "public_participation_pct": declaration.get("public_participation_pct", 0),
    }
    if not isinstance(out["negative_equity"], bool):
        errors.append(("declaration.negative_equity", _("Must be true or false.")))
    pct = out["public_participation_pct"]
    try:
        pct_d = parse_amount(pct, places=PCT_PLACES, max_digits=PCT_PLACES + 3, quantize=False)
        if pct_d > 100:
            raise AmountError("range", "above 100")
    except AmountError:
        errors.append(
            (
                "declaration.public_participation_pct",
                _("Must be a percentage between 0 and 100."),
            )
        )
    errors.extend(_eligibility_errors(out))
    if errors:
        raise ValidationFailed(errors[0][1], field=errors[0][0], errors=errors)
    return out


def _eligibility_errors(decl: dict) -> list[tuple[str, str]]:
    """Validate the SME block and prior aid with the eligibility parsers, so the declaration
    accepts exactly what the eligibility contract accepts."""
    from csgrants.eligibility import parsing

    errors: list[tuple[str, str]] = []
    sme = decl.get("sme")
    if sme is not None:
        if not isinstance(sme, dict):
            errors.append(("declaration.sme", _("Must be an object.")))
        else:
            data = {"relations": [], **sme}
            if isinstance(data.get("enterprise"), dict):
                data["enterprise"] = {"kind": "kmo", "name": "-", **data["enterprise"]}
            try:
                parsing.parse_sme_input(data)
            except parsing.EligibilityInputError as exc:
                errors.extend((f"declaration.sme.{f}", m) for f, m in exc.errors)
    aid = decl.get("de_minimis_prior_aid")
    if not isinstance(aid, list):
        errors.append(("declaration.de_minimis_prior_aid", _("Must be a list.")))
    else:
        try:
            parsing.parse_de_minimis_input(
                {"grant_date": "2024-01-01", "amount_eur": "0", "prior_aid": aid}
            )
        except parsing.EligibilityInputError as exc:
            errors.extend(
                (
                    f"declaration.de_minimis_prior_aid{f[len('prior_aid') :]}"
                    if f.startswith("prior_aid")
                    else f"declaration.{f}",
                    m,
                )
                for f, m in exc.errors
            )
    return errors
