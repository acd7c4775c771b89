"""The audit trail and the history in words (issue 21): "Reviewer approved the file" instead of
`application.approve`, "Kind of enterprise" instead of `enterprise_kind`, "Enterprise number:
passed" instead of `ENTERPRISE_NUMBER: pass`. Only the display changes: the stored events keep
their stable codes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from csgrants.applications.models import (
    Amendment,
    Application,
    CheckResult,
    Decision,
    FinalReport,
    Status,
)
from csgrants.core.money import format_eur
from csgrants.web.templatetags.flemish import fdate

register = template.Library()


def _actions() -> dict[str, str]:
    return {
        "application.create": _("created the file"),
        "application.edit": _("changed the draft"),
        "application.submit": _("submitted the file"),
        "application.checks": _("ran the automated checks"),
        "application.request_info": _("requested information"),
        "application.answer": _("answered the information request"),
        "application.approve": _("approved the file"),
        "application.reject": _("rejected the file"),
        "application.withdraw": _("withdrew the file"),
        "application.stop": _("stopped the file"),
        "application.start": _("started the trajectory"),
        "application.complete": _("filed the final report"),
        "application.pay": _("recorded the payment"),
        "application.upgrade": _("upgraded the package"),
        "application.extension": _("added an extension package"),
        "amendment.request": _("proposed an amendment"),
        "amendment.approved": _("approved the amendment"),
        "amendment.rejected": _("rejected the amendment"),
        "decision.approved": _("recorded the approval"),
        "decision.rejected": _("recorded the rejection"),
        "decision.stopped": _("recorded the stop"),
        "final_report.submit": _("submitted the final report"),
        "final_report.accept": _("accepted the final report"),
        "final_report.send_back": _("sent the final report back"),
        "payment.record": _("recorded the payment"),
        "budget.commit": _("committed budget"),
        "budget.release": _("released budget"),
        "budget.realise": _("paid out of the commitment"),
        "budget.allocate": _("allocated budget"),
        "enterprise.create": _("registered the enterprise"),
        "enterprise.update": _("updated the enterprise"),
        "history.import": _("imported the history"),
    }


def _keys() -> dict[str, str]:
    """Labels of the keys that are no model field of the application."""
    return {
        "amendment": _("amendment"),
        "report": _("final report"),
        "note": _("note"),
        "reasons": _("reasons"),
        "outcome": _("outcome"),
        "amount_eur": _("amount"),
        "basis_eur": _("basis of the payment"),
        "released_eur": _("released"),
        "available_eur": _("available budget"),
        "maturity": _("maturity"),
        "satisfaction_score": _("satisfaction (1-5)"),
        "made_progress": _("the enterprise made progress in cybersecurity maturity"),
        "keep_investing": _("the enterprise is convinced to keep investing"),
        "checks_passed": _("every check passed"),
        "kind": _("kind"),
        "package": _("package"),
        "current_package": _("current package"),
        "region": _("region"),
        "name": _("name"),
        "number": _("enterprise number"),
        "application": _("application"),
        "provider": _("service provider"),
    }


def _checks() -> dict[str, str]:
    return {
        "ENTERPRISE_NUMBER": _("Enterprise number"),
        "KIND_ADMITTED": _("Kind of enterprise admitted"),
        "SME": _("SME definition"),
        # The template's msgid (translate escapes % as %%), formatted to one %.
        "PUBLIC_PARTICIPATION": _("Public participation below 25%%") % {},
        "NEGATIVE_EQUITY": _("No negative equity"),
        "FLEMISH_REGION": _("Established in the Flemish Region"),
        "RECENT_TRAJECTORY": _("No trajectory in the last four years"),
        "PACKAGE_COST": _("Package and cost within the policy"),
        "DE_MINIMIS": _("De minimis ceiling"),
        "BUDGET": _("Budget available at the provider"),
    }


def _packages() -> dict:
    """Packages by code (the audit snapshots name them by code), kept until the reference data
    change."""
    from csgrants.catalogue.models import Package
    from csgrants.core.reference import cached

    return cached("audit_words.packages", lambda: {p.code: p for p in Package.objects.all()})


def label_of(key: str) -> str:
    checks = _checks()
    if key in checks:
        return checks[key]
    keys = _keys()
    if key in keys:
        return keys[key]
    for model in (Application, Amendment, FinalReport):
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            continue
    return key.replace("_", " ")


def value_of(key: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in _checks():
        return str(dict(CheckResult.Outcome.choices).get(value, value))
    if key == "status":
        labels = {
            **dict(FinalReport.ReportStatus.choices),
            **dict(Amendment.AmendmentStatus.choices),
            **dict(Status.choices),
        }
        return str(labels.get(value, value))
    if key == "outcome":
        return str(dict(Decision.Outcome.choices).get(value, value))
    if key == "province":
        return register_value(value, "province")
    if key in ("package", "current_package") and isinstance(value, str):
        package = _packages().get(value)
        return package.label() if package else value
    if key == "kind" and value in Amendment.Kind.values:
        return str(dict(Amendment.Kind.choices)[value])
    if key.endswith("_eur"):
        try:
            return format_eur(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    if key.endswith("_on") or key.endswith("_date"):
        return fdate(value) or str(value)
    if key == "rate_pct":
        return f"{value} %"
    if isinstance(value, list):
        return (
            ", ".join(str(v) for v in value) if all(not isinstance(v, dict) for v in value) else "…"
        )
    if isinstance(value, dict):
        return "…"
    return str(value)


@register.simple_tag
def audit_action(event) -> str:
    return _actions().get(event.action) or event.action.replace(".", " ").replace("_", " ")


@register.simple_tag
def audit_changes(event) -> list[tuple[str, str, str | None]]:
    """(label, new value, old value or None) of what the event changed; for an event without a
    `before`, what it recorded."""
    before = event.before if isinstance(event.before, dict) else None
    after = event.after if isinstance(event.after, dict) else {}
    rows = []
    for key, new in after.items():
        if before is not None and key in before:
            if before[key] == new:
                continue
            rows.append((label_of(key), value_of(key, new), value_of(key, before[key])))
        elif new not in (None, "", [], {}):
            rows.append((label_of(key), value_of(key, new), None))
    return rows


@register.filter
def actor_words(label: str) -> str:
    """Who, in words: the history import is no person."""
    if label == "history import":
        return _("the import of the earlier records")
    if label in ("", "system"):
        return _("the system")
    return label


@register.filter
def history_note(note: str) -> str:
    """Notes the system wrote itself, in the reader's language."""
    if note == "imported":
        return _("imported from the earlier records")
    if note == "imported; the date of this step is not in the history":
        return _("imported from the earlier records; the date of this step is not known")
    if note == "imported; paid (payment date not in the history)":
        return _("imported from the earlier records; paid (the payment date is not known)")
    if note == "imported; paid with its file":
        return _("imported from the earlier records; paid with its file")
    if note.startswith("paid ") and note[5:].replace(".", "", 1).isdigit():
        return _("paid %(amount)s") % {"amount": format_eur(Decimal(note[5:]))}
    return note


@register.filter
def register_value(value, key: str) -> str:
    """A value of the register (KBO) panel in words: NACE codes listed, province and region
    named in the reader's language, nothing shown as a dash."""
    from django.utils.translation import get_language

    from csgrants.core.postal import PROVINCES

    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if key == "nace_codes" and isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if key == "province" and value in PROVINCES:
        return PROVINCES[value][1 if (get_language() or "nl")[:2] == "en" else 0]
    if key == "region":
        regions = {
            "flanders": _("Flemish Region"),
            "brussels": _("Brussels-Capital Region"),
            "wallonia": _("Walloon Region"),
        }
        if value in regions:
            return regions[value]
        if value in PROVINCES:
            return PROVINCES[value][1 if (get_language() or "nl")[:2] == "en" else 0]
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
