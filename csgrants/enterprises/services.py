from __future__ import annotations

from django.utils.translation import gettext as _

from csgrants.core import enterprise_number
from csgrants.core.audit import audit_record, snapshot
from csgrants.core.errors import ValidationFailed
from csgrants.core.postal import is_valid_postal_code, province_for, region_for_province
from csgrants.core.transactions import insert_if_absent, service_atomic
from csgrants.enterprises.models import Enterprise

AUDIT_FIELDS = ["number", "name", "kind", "postal_code", "province", "region"]


def normalize_number(number: str, field: str = "enterprise_number") -> str:
    try:
        return enterprise_number.normalize(number)
    except enterprise_number.InvalidEnterpriseNumber:
        raise ValidationFailed(
            _("%(number)s is not a valid enterprise number (checksum 97).")
            % {"number": repr(number)},
            code="INVALID_ENTERPRISE_NUMBER",
            field=field,
        )


def enterprise_values(*, name: str, kind: str, postal_code: str) -> dict:
    """Name, kind and seat as typed, checked and completed with the seat's province and region:
    what a file keeps of the enterprise it was filed for, and what an enterprise record holds."""
    if not is_valid_postal_code(postal_code):
        raise ValidationFailed(
            _("%(code)s is not a Belgian postal code.") % {"code": repr(postal_code)},
            code="INVALID_POSTAL_CODE",
            field="postal_code",
        )
    province = province_for(postal_code) or ""
    values = {
        "name": name.strip(),
        "kind": kind,
        "postal_code": postal_code.strip(),
        "province": province,
        "region": region_for_province(province) or "",
    }
    if not values["name"]:
        raise ValidationFailed(_("A name is required."), field="enterprise_name")
    return values


@service_atomic
def enterprise_for_filing(
    *, actor, number: str, name: str, kind: str, postal_code: str
) -> tuple[Enterprise, dict]:
    """The shared enterprise record a file is filed for, and the typed values checked
    (`enterprise_values`), which the file keeps as its own.

    The record belongs to the register and the agency, not to whoever files (architecture.md,
    rule 15): a filing creates it with the typed values when the enterprise is new (audited) and
    never changes an existing one, so that one provider's typing never shows on another
    provider's files."""
    canonical = normalize_number(number)
    values = enterprise_values(name=name, kind=kind, postal_code=postal_code)
    enterprise = Enterprise.objects.filter(number=canonical).first()
    if enterprise is not None:
        return enterprise, values
    enterprise = Enterprise(number=canonical, **values)
    # Two filings for the same new enterprise may race; the unique number decides and the
    # loser takes the winner's row as it is.
    if insert_if_absent(enterprise, unique=("number",)):
        audit_record(
            actor=actor,
            action="enterprise.create",
            obj=enterprise,
            after=snapshot(enterprise, AUDIT_FIELDS),
        )
    else:
        enterprise = Enterprise.objects.get(number=canonical)
    return enterprise, values


@service_atomic
def enterprise_correct(
    *, actor, enterprise: Enterprise, name: str, kind: str, postal_code: str
) -> Enterprise:
    """The agency corrects the shared record (the admin): audited with before and after. Files
    keep what they were filed with."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    values = enterprise_values(name=name, kind=kind, postal_code=postal_code)
    before = snapshot(enterprise, AUDIT_FIELDS)
    changed = [k for k, v in values.items() if getattr(enterprise, k) != v]
    if changed:
        for k in changed:
            setattr(enterprise, k, values[k])
        enterprise.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="enterprise.update",
            obj=enterprise,
            before=before,
            after=snapshot(enterprise, AUDIT_FIELDS),
        )
    return enterprise


@service_atomic
def enterprise_create(*, actor, number: str, name: str, kind: str, postal_code: str) -> Enterprise:
    """The agency records an enterprise (the admin): audited."""
    canonical = normalize_number(number)
    if Enterprise.objects.filter(number=canonical).exists():
        raise ValidationFailed(
            _("An enterprise with number %(number)s is already recorded.") % {"number": canonical},
            code="DUPLICATE",
            field="number",
        )
    enterprise = Enterprise.objects.create(
        number=canonical, **enterprise_values(name=name, kind=kind, postal_code=postal_code)
    )
    audit_record(
        actor=actor,
        action="enterprise.create",
        obj=enterprise,
        after=snapshot(enterprise, AUDIT_FIELDS),
    )
    return enterprise


def kbo_import(*, actor, path, progress: bool = False):
    """Apply a KBO open data dump (full or update) to the register tables, all or nothing, and
    audit it in the same transaction. Returns csgrants.enterprises.kbo.ImportResult."""
    from csgrants.enterprises import kbo

    def audit(record):
        audit_record(
            actor=actor,
            action="kbo.import",
            obj=record,
            after={
                "kind": record.kind,
                "extract_number": record.extract_number,
                "rows": record.rows,
            },
        )

    return kbo.run_import(path, progress=progress, on_recorded=audit)
