"""Payment orders (contract documents-and-feeds, "Payment orders").

- A provider's bank account is proposed by one person and approved by a second (four eyes);
  IBAN and BIC are validated with schwifty; the approval notifies the provider's registered
  contact before any batch pays to the account.
- A payment batch gathers the files whose final report was accepted; one budget manager
  prepares it, another approves it (the preparer cannot). Only an approved batch is exported:
  XLSX/CSV for the finance department and an ISO 20022 pain.001.001.09 credit transfer (sepaxml)
  that validates against the schema sepaxml ships, with the file reference as end-to-end id and a
  Belgian structured communication (OGM/VCS) per line.
- Finance's answer is imported per line: `paid` realises the payment in the ledger and closes the
  file (applications.trajectory.payment_record, the one service that pays); `failed` keeps the
  message and frees the file for a new batch. Nothing else records a payment.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import schwifty
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext
from stdnum.be import ogm_vcs

from csgrants.accounts.models import Role
from csgrants.applications.models import Application, FinalReport, Status
from csgrants.core import clock
from csgrants.core.audit import audit_record
from csgrants.core.errors import (
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from csgrants.core.exports import csv_dict_writer, xlsx_bytes
from csgrants.core.transactions import service_atomic
from csgrants.payments.models import BankAccount, PaymentBatch, PaymentLine

MANAGERS = frozenset({Role.BUDGET_MANAGER, Role.ADMIN})
PAIN_SCHEMA = "pain.001.001.09"


def _role(actor) -> str | None:
    return getattr(actor, "effective_role", None)


def _require_manager(actor, message: str) -> None:
    if _role(actor) not in MANAGERS:
        raise PermissionDenied(message)


# --- bank accounts ---------------------------------------------------------------------------


def validate_account(iban: str, bic: str) -> tuple[str, str]:
    """(IBAN, BIC) in their compact form, or ValidationFailed. The BIC must be that of the IBAN's
    bank when schwifty's bank registry knows it."""
    try:
        parsed = schwifty.IBAN(iban or "")
    except (schwifty.exceptions.SchwiftyException, ValueError) as exc:
        raise ValidationFailed(
            gettext("This is not a valid IBAN (%(reason)s).") % {"reason": exc},
            field="iban",
            code="INVALID_IBAN",
        )
    try:
        parsed_bic = schwifty.BIC(bic or "")
    except (schwifty.exceptions.SchwiftyException, ValueError) as exc:
        raise ValidationFailed(
            gettext("This is not a valid BIC (%(reason)s).") % {"reason": exc},
            field="bic",
            code="INVALID_BIC",
        )
    known = parsed.bic
    if known is not None and str(known)[:8] != str(parsed_bic)[:8]:
        raise ValidationFailed(
            gettext("The BIC of this IBAN's bank is %(bic)s.") % {"bic": known},
            field="bic",
            code="BIC_MISMATCH",
        )
    return parsed.compact, str(parsed_bic)


@service_atomic
def bank_account_propose(
    *,
    actor,
    provider,
    holder: str,
    iban: str,
    bic: str,
    street: str,
    building_number: str,
    postal_code: str,
    town: str,
    country: str = "BE",
) -> BankAccount:
    _require_manager(
        actor, gettext("Only a budget manager or an administrator proposes a bank account.")
    )
    iban, bic = validate_account(iban, bic)
    required = {
        "holder": holder,
        "street": street,
        "building_number": building_number,
        "postal_code": postal_code,
        "town": town,
    }
    for field, value in required.items():
        if not (value or "").strip():
            raise ValidationFailed(gettext("This field is required."), field=field)
    account = BankAccount.objects.create(
        provider=provider,
        holder=holder.strip(),
        iban=iban,
        bic=bic,
        street=street.strip(),
        building_number=building_number.strip(),
        postal_code=postal_code.strip(),
        town=town.strip(),
        country=(country or "BE").strip().upper()[:2],
        proposed_by=actor,
        proposed_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="bank_account.propose",
        obj=provider,
        after={"account": account.pk, "iban": iban, "bic": bic},
    )
    return account


@service_atomic
def bank_account_decide(*, actor, account: BankAccount, approve: bool) -> BankAccount:
    """The second person approves (or rejects) a proposed account. Approval replaces the
    provider's active account and notifies the provider's registered contact."""
    from csgrants.applications import events

    _require_manager(
        actor, gettext("Only a budget manager or an administrator approves a bank account.")
    )
    account = BankAccount.objects.select_for_update().get(pk=account.pk)
    if account.status != BankAccount.AccountStatus.PROPOSED:
        raise TransitionNotAllowed(gettext("This bank account was already decided."))
    if account.proposed_by_id == actor.pk:
        raise PermissionDenied(
            gettext("The person who proposed a bank account cannot approve it."),
            code="FOUR_EYES",
        )
    if approve:
        BankAccount.objects.filter(
            provider_id=account.provider_id, status=BankAccount.AccountStatus.ACTIVE
        ).update(status=BankAccount.AccountStatus.SUPERSEDED)
        account.status = BankAccount.AccountStatus.ACTIVE
    else:
        account.status = BankAccount.AccountStatus.REJECTED
    account.decided_by = actor
    account.decided_at = timezone.now()
    account.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=f"bank_account.{'approve' if approve else 'reject'}",
        obj=account.provider,
        after={"account": account.pk, "iban": account.iban, "status": account.status},
    )
    if approve:
        events.announce("bank_account_changed", account)  # notifications mails the provider
    return account


def active_account(provider_id: int) -> BankAccount | None:
    return BankAccount.objects.filter(
        provider_id=provider_id, status=BankAccount.AccountStatus.ACTIVE
    ).first()


# --- batches ---------------------------------------------------------------------------------


def payable_files():
    """Completed files whose final report was accepted, not in a batch line that is waiting or
    paid (a failed line frees its file), whose provider has an active bank account."""
    live_line = PaymentLine.objects.filter(application=OuterRef("pk")).exclude(
        status=PaymentLine.LineStatus.FAILED
    )
    accepted = FinalReport.objects.filter(
        application=OuterRef("pk"), status=FinalReport.ReportStatus.ACCEPTED
    )
    active = BankAccount.objects.filter(
        provider=OuterRef("provider"), status=BankAccount.AccountStatus.ACTIVE
    )
    return (
        Application.objects.filter(status=Status.COMPLETED)
        .filter(Exists(accepted), Exists(active))
        .exclude(Exists(live_line))
        .select_related("provider", "enterprise")
        .order_by("reference")
    )


def _communication(batch_pk: int, n: int) -> str:
    base = f"{batch_pk % 100000:05d}{n % 100000:05d}"
    return base + ogm_vcs.calc_check_digits(base)


@service_atomic
def batch_prepare(*, actor, execution_date: date | None = None, applications=None) -> PaymentBatch:
    """Gather the payable files (or the given ones, if payable) into a new batch."""
    from csgrants.applications.trajectory import payment_preview
    from csgrants.budgets.selectors import application_open_commitment

    _require_manager(
        actor, gettext("Only a budget manager or an administrator prepares a payment batch.")
    )
    files = payable_files()
    if applications is not None:
        files = files.filter(pk__in=[a.pk for a in applications])
    files = list(files.select_for_update(of=("self",)))
    today = clock.today()
    batch = PaymentBatch.objects.create(
        execution_date=execution_date or today,
        message_id=f"CSG-PENDING-{timezone.now().timestamp()}",
        prepared_by=actor,
        prepared_at=timezone.now(),
    )
    batch.message_id = f"CSG-{today:%Y%m%d}-{batch.pk:06d}"
    batch.save(update_fields=["message_id"])
    lines = []
    for application in files:
        figures = payment_preview(application)
        amount = min(figures["amount_eur"], application_open_commitment(application))
        if amount <= 0:
            continue
        lines.append(
            PaymentLine(
                batch=batch,
                application=application,
                bank_account=active_account(application.provider_id),
                amount_eur=amount,
                structured_communication=_communication(batch.pk, len(lines) + 1),
            )
        )
    if not lines:
        raise ValidationFailed(
            gettext("There is no file to pay."), field="applications", code="NOTHING_TO_PAY"
        )
    PaymentLine.objects.bulk_create(lines)
    audit_record(
        actor=actor,
        action="payment_batch.prepare",
        obj=batch,
        after={
            "lines": [(line.application.reference, f"{line.amount_eur:.2f}") for line in lines],
            "total_eur": f"{sum(line.amount_eur for line in lines):.2f}",
        },
    )
    return batch


@service_atomic
def batch_approve(*, actor, batch: PaymentBatch) -> PaymentBatch:
    _require_manager(
        actor, gettext("Only a budget manager or an administrator approves a payment batch.")
    )
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.prepared_by_id == actor.pk:
        raise PermissionDenied(
            gettext("The budget manager who prepared a batch cannot approve it."),
            code="FOUR_EYES",
        )
    if batch.status != PaymentBatch.BatchStatus.PREPARED:
        raise TransitionNotAllowed(gettext("This batch was already approved."))
    batch.status = PaymentBatch.BatchStatus.APPROVED
    batch.approved_by = actor
    batch.approved_at = timezone.now()
    batch.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, action="payment_batch.approve", obj=batch, after={"batch": batch.pk})
    return batch


# --- exports ---------------------------------------------------------------------------------

ORDER_COLUMNS = (
    "reference",
    "provider",
    "account_holder",
    "iban",
    "bic",
    "amount_eur",
    "structured_communication",
    "street",
    "building_number",
    "postal_code",
    "town",
    "country",
)


def _exportable(batch: PaymentBatch) -> list[PaymentLine]:
    if batch.status == PaymentBatch.BatchStatus.PREPARED:
        raise TransitionNotAllowed(
            gettext(
                "A batch leaves for the finance department only once a second budget manager "
                "approved it."
            ),
            code="BATCH_NOT_APPROVED",
        )
    return list(batch.lines.select_related("application", "application__provider", "bank_account"))


def _order_row(line: PaymentLine) -> dict:
    account = line.bank_account
    return {
        "reference": line.application.reference,
        "provider": line.application.provider.name,
        "account_holder": account.holder,
        "iban": account.iban,
        "bic": account.bic,
        "amount_eur": f"{line.amount_eur:.2f}",
        "structured_communication": ogm_vcs.format(line.structured_communication),
        "street": account.street,
        "building_number": account.building_number,
        "postal_code": account.postal_code,
        "town": account.town,
        "country": account.country,
    }


def batch_csv(batch: PaymentBatch) -> bytes:
    out = io.StringIO()
    writer = csv_dict_writer(out, fieldnames=ORDER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_order_row(line) for line in _exportable(batch))
    return out.getvalue().encode()


def batch_xlsx(batch: PaymentBatch) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = batch.message_id[:31]
    ws.append(list(ORDER_COLUMNS))
    for line in _exportable(batch):
        row = _order_row(line)
        ws.append([Decimal(row[c]) if c == "amount_eur" else row[c] for c in ORDER_COLUMNS])
    return xlsx_bytes(wb)


def _payer() -> dict:
    return {
        "name": settings.CSGRANTS_PAYER_NAME,
        "IBAN": settings.CSGRANTS_PAYER_IBAN,
        "BIC": settings.CSGRANTS_PAYER_BIC,
        "batch": True,
        "currency": "EUR",
        "address": {
            "street_name": "Koning Albert II-laan",
            "building_number": "35",
            "postcode": "1030",
            "town": "Brussel",
            "country": "BE",
        },
    }


def batch_pain001(batch: PaymentBatch) -> bytes:
    """The ISO 20022 pain.001.001.09 credit transfer of an approved batch, validated against the
    schema sepaxml ships. sepaxml writes unstructured remittance; each line's is replaced by the
    Belgian structured creditor reference (SCOR, issuer BBA) before validation."""
    import xml.etree.ElementTree as ET

    from sepaxml import SepaTransfer
    from sepaxml.validation import try_valid_xml

    lines = _exportable(batch)
    sepa = SepaTransfer(_payer(), schema=PAIN_SCHEMA, clean=True)
    for line in lines:
        account = line.bank_account
        sepa.add_payment(
            {
                "name": account.holder,
                "IBAN": account.iban,
                "BIC": account.bic,
                "amount": int(line.amount_eur * 100),
                "execution_date": batch.execution_date,
                "description": line.structured_communication,
                "endtoend_id": line.application.reference,
                "address": {
                    "street_name": account.street,
                    "building_number": account.building_number,
                    "postcode": account.postal_code,
                    "town": account.town,
                    "country": account.country,
                },
            }
        )
    xml = sepa.export(validate=False)
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{PAIN_SCHEMA}"
    ET.register_namespace("", namespace)
    root = ET.fromstring(xml)  # noqa: S314 (our own document)
    ns = {"p": namespace}
    message_id = root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ns)
    message_id.text = batch.message_id
    for remittance in root.iter(f"{{{namespace}}}RmtInf"):
        unstructured = remittance.find("p:Ustrd", ns)
        reference = unstructured.text
        remittance.remove(unstructured)
        strd = ET.SubElement(remittance, f"{{{namespace}}}Strd")
        ref_inf = ET.SubElement(strd, f"{{{namespace}}}CdtrRefInf")
        tp = ET.SubElement(ref_inf, f"{{{namespace}}}Tp")
        cd_or_prtry = ET.SubElement(tp, f"{{{namespace}}}CdOrPrtry")
        ET.SubElement(cd_or_prtry, f"{{{namespace}}}Cd").text = "SCOR"
        ET.SubElement(tp, f"{{{namespace}}}Issr").text = "BBA"
        ET.SubElement(ref_inf, f"{{{namespace}}}Ref").text = reference
    out = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    try_valid_xml(out, PAIN_SCHEMA)
    return out


# --- finance's answer ------------------------------------------------------------------------

ANSWER_COLUMNS = ("reference", "structured_communication", "status", "message", "paid_on")


@service_atomic
def batch_answer_import(*, actor, text: str) -> dict:
    """Apply finance's answer per line (columns reference, structured_communication, status
    paid|failed, message, paid_on YYYY-MM-DD). `paid` pays the file (the ledger realises the
    amount, the file closes); `failed` records the message and frees the file for a new batch.
    Lines that match no waiting line are returned, not applied."""
    from csgrants.applications.trajectory import payment_record

    _require_manager(
        actor,
        gettext(
            "Only a budget manager or an administrator records the finance department's answer."
        ),
    )
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("reference", "status") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            gettext("The file has no column %(column)s.") % {"column": repr(missing[0])},
            field="file",
        )
    result = {"paid": 0, "failed": 0, "unmatched": []}
    batches = set()
    for line_no, row in enumerate(reader, start=2):
        reference = (row.get("reference") or "").strip()
        communication = (
            ogm_vcs.compact(row.get("structured_communication") or "")
            if (row.get("structured_communication") or "").strip()
            else ""
        )
        status = (row.get("status") or "").strip().lower()
        lines = PaymentLine.objects.select_for_update().filter(
            application__reference=reference,
            status=PaymentLine.LineStatus.OPEN,
            batch__status=PaymentBatch.BatchStatus.APPROVED,
        )
        if communication:
            lines = lines.filter(structured_communication=communication)
        line = lines.select_related("application", "batch").first()
        if line is None or status not in (
            PaymentLine.LineStatus.PAID,
            PaymentLine.LineStatus.FAILED,
        ):
            result["unmatched"].append(line_no)
            continue
        line.message = (row.get("message") or "").strip()
        line.answered_at = timezone.now()
        if status == PaymentLine.LineStatus.PAID:
            try:
                paid_on = date.fromisoformat((row.get("paid_on") or "").strip())
            except ValueError:
                paid_on = clock.today()
            payment_record(actor=actor, application=line.application, on=paid_on)
            line.status = PaymentLine.LineStatus.PAID
            line.paid_on = paid_on
            result["paid"] += 1
        else:
            line.status = PaymentLine.LineStatus.FAILED
            result["failed"] += 1
        line.save(update_fields=["status", "message", "paid_on", "answered_at"])
        audit_record(
            actor=actor,
            action=f"payment_line.{line.status}",
            obj=line.application,
            after={"batch": line.batch.message_id, "message": line.message},
        )
        batches.add(line.batch_id)
    for batch in PaymentBatch.objects.filter(pk__in=batches):
        if not batch.lines.filter(status=PaymentLine.LineStatus.OPEN).exists():
            batch.status = PaymentBatch.BatchStatus.CLOSED
            batch.save(update_fields=["status"])
    return result


def batch_get(pk: int) -> PaymentBatch:
    batch = PaymentBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise NotFound(gettext("There is no such payment batch."))
    return batch
