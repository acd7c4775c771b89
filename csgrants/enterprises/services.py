from __future__ import annotations

from django.utils.translation import gettext as _

from csgrants.core import enterprise_number
from csgrants.core.audit import audit_record, snapshot
from csgrants.core.errors import ValidationFailed
from csgrants.core.postal import is_valid_postal_code, province_for, region_for_province
from csgrants.core.transactions import insert_if_absent, service_atomic
from csgrants.enterprises.models import Enterprise

_FIELDS = ["number", "name", "kind", "postal_code", "province", "region"]


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


@service_atomic
def enterprise_upsert(*, actor, number: str, name: str, kind: str, postal_code: str) -> Enterprise:
    """Create the enterprise or bring its name, kind and address up to date (audited)."""
    canonical = normalize_number(number)
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
    enterprise = Enterprise.objects.select_for_update().filter(number=canonical).first()
    if enterprise is None:
        enterprise = Enterprise(number=canonical, **values)
        # Two filings for the same new enterprise may race; the unique number decides and the
        # loser updates the winner's row below.
        if not insert_if_absent(enterprise, unique=("number",)):
            enterprise = Enterprise.objects.select_for_update().get(number=canonical)
        else:
            audit_record(
                actor=actor,
                action="enterprise.create",
                obj=enterprise,
                after=snapshot(enterprise, _FIELDS),
            )
            return enterprise
    before = snapshot(enterprise, _FIELDS)
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
            after=snapshot(enterprise, _FIELDS),
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
