"""The EU de minimis register (Commission Regulation (EU) 2023/2831, art. 6): since 1 January
2026 every de minimis grant is entered in the central register within 20 working days of the
grant.

The decision services call `register_after_*` in the decision's own transaction, so an entry
exists exactly when the decision does: an approval creates `add`, an approved amendment (it adds
subsidy) `amend` with the file's new total, a stop or a withdrawal after approval `delete`. Each
entry's due date is the grant date + 20 working days on the agency's calendar (core.calendar).

`deminimis_register export` writes the entries not yet acknowledged, oldest due first;
`deminimis_register acknowledge FILE.csv` records, per line, the register's own id or its error.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from csgrants.core.calendar import default_calendar
from csgrants.core.errors import ValidationFailed
from csgrants.core.exports import csv_dict_writer, xlsx_bytes
from csgrants.core.transactions import service_atomic
from csgrants.documents.models import (
    DUE_SOON_WORKING_DAYS,
    REGISTER_TERM_WORKING_DAYS,
    RegisterEntry,
)

EXPORT_COLUMNS = (
    "reference",
    "kind",
    "beneficiary_number",
    "beneficiary_name",
    "nace_code",
    "nace_version",
    "granted_on",
    "amount_eur",
    "instrument",
    "authority",
    "legal_basis",
    "due_on",
)
ACK_COLUMNS = ("reference", "kind", "register_id", "error")


def register_due_on(granted_on: date) -> date:
    """Grant date + 20 working days (art. 6(2): "within 20 working days")."""
    return default_calendar().add_working_days(granted_on, REGISTER_TERM_WORKING_DAYS)


def _entry(application, kind: str, amount: Decimal, granted_on: date) -> RegisterEntry:
    from csgrants.enterprises.selectors import enterprise_main_activity

    enterprise = application.enterprise
    activity = enterprise_main_activity(enterprise.number)
    return RegisterEntry.objects.create(
        application=application,
        kind=kind,
        beneficiary_number=enterprise.number,
        beneficiary_name=application.enterprise_name,
        nace_code=activity[0] if activity else "",
        nace_version=activity[1] if activity else "",
        nace_missing=activity is None,
        granted_on=granted_on,
        amount_eur=amount,
        due_on=register_due_on(granted_on),
    )


def _was_granted(application) -> bool:
    return application.register_entries.filter(kind=RegisterEntry.Kind.ADD).exists()


def register_after_approval(*, application, on: date) -> RegisterEntry:
    return _entry(application, RegisterEntry.Kind.ADD, application.subsidy_eur or Decimal(0), on)


def register_after_amendment(*, application, on: date) -> RegisterEntry | None:
    """An approved amendment adds subsidy: the grant is amended to the file's new total."""
    from csgrants.applications.amendments import committed_subsidy

    if not _was_granted(application):
        return None  # granted before the register (imported history): nothing to amend
    return _entry(application, RegisterEntry.Kind.AMEND, committed_subsidy(application), on)


def register_after_end(*, application, on: date) -> RegisterEntry | None:
    """A stop or a withdrawal after approval: the grant is deleted (nothing was paid)."""
    if not _was_granted(application):
        return None
    return _entry(application, RegisterEntry.Kind.DELETE, Decimal("0.00"), on)


# --- export and acknowledgement --------------------------------------------------------------


def entries_to_export():
    return RegisterEntry.objects.exclude(status=RegisterEntry.EntryStatus.ACKNOWLEDGED).order_by(
        "due_on", "id"
    )


def _row(entry: RegisterEntry) -> dict:
    return {
        "reference": entry.application.reference,
        "kind": entry.kind,
        "beneficiary_number": entry.beneficiary_number,
        "beneficiary_name": entry.beneficiary_name,
        "nace_code": entry.nace_code,
        "nace_version": entry.nace_version,
        "granted_on": entry.granted_on.isoformat(),
        "amount_eur": f"{entry.amount_eur:.2f}",
        "instrument": entry.instrument,
        "authority": entry.authority,
        "legal_basis": entry.legal_basis,
        "due_on": entry.due_on.isoformat(),
    }


def export_rows() -> list[dict]:
    return [_row(e) for e in entries_to_export().select_related("application")]


def export_bytes(fmt: str) -> bytes:
    rows = export_rows()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_dict_writer(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "de minimis"
        ws.append(list(EXPORT_COLUMNS))
        for row in rows:
            ws.append([Decimal(row[c]) if c == "amount_eur" else row[c] for c in EXPORT_COLUMNS])
        return xlsx_bytes(wb)
    raise ValidationFailed(
        gettext("Unknown format %(format)s.") % {"format": repr(fmt)}, field="format"
    )


@service_atomic
def register_acknowledge(text: str) -> dict:
    """Apply the register's answer, per line: `register_id` acknowledges the oldest open entry
    of that reference and kind, `error` marks it failed with the message (it stays in the
    export). Returns counts and the lines that matched nothing."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ACK_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            gettext("The file has no column %(column)s.") % {"column": repr(missing[0])},
            field="file",
        )
    result = {"acknowledged": 0, "failed": 0, "unmatched": []}
    for line_no, row in enumerate(reader, start=2):
        reference, kind = (row["reference"] or "").strip(), (row["kind"] or "").strip()
        register_id, error = (row["register_id"] or "").strip(), (row["error"] or "").strip()
        entry = (
            entries_to_export()
            .filter(application__reference=reference, kind=kind)
            .select_for_update()
            .first()
        )
        if entry is None or not (register_id or error):
            result["unmatched"].append(line_no)
            continue
        if register_id:
            entry.status = RegisterEntry.EntryStatus.ACKNOWLEDGED
            entry.register_id = register_id
            entry.error = ""
            entry.acknowledged_at = timezone.now()
            result["acknowledged"] += 1
        else:
            entry.status = RegisterEntry.EntryStatus.FAILED
            entry.error = error
            result["failed"] += 1
        entry.save(update_fields=["status", "register_id", "error", "acknowledged_at"])
    return result


def board(on: date) -> dict:
    """The staff board: entries overdue, due within 5 working days, and refused."""
    calendar = default_calendar()
    soon = calendar.add_working_days(on, DUE_SOON_WORKING_DAYS)
    open_entries = list(entries_to_export().select_related("application"))
    return {
        "overdue": [e for e in open_entries if e.due_on < on],
        "due_soon": [e for e in open_entries if on <= e.due_on <= soon],
        "failed": [e for e in open_entries if e.status == RegisterEntry.EntryStatus.FAILED],
        "nace_missing": [e for e in open_entries if e.nace_missing],
    }


def overdue_entries(on: date) -> list[RegisterEntry]:
    return list(entries_to_export().filter(due_on__lt=on).select_related("application"))


def register_listener(event: str, obj) -> None:
    """Subscribed to the services' events (applications.events, from this app's ready()): runs
    in the decision's transaction, so an entry exists exactly when its decision does."""
    if event == "decision":
        if obj.outcome == "approved":
            register_after_approval(application=obj.application, on=obj.decided_on)
        elif obj.outcome == "stopped":
            register_after_end(application=obj.application, on=obj.decided_on)
    elif event == "amendment_decided" and obj.outcome == "approved":
        # The grant grows: the entry is amended to the file's new total.
        register_after_amendment(application=obj.application, on=obj.decided_on)
    elif event == "withdrawn":
        register_after_end(application=obj, on=obj.closed_on)
