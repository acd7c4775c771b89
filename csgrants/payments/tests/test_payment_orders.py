"""Payment orders: four-eyes bank accounts and batches, the exports (the pain.001 validates
against the schema sepaxml ships), finance's answer per line; the ledger realises a payment
only when it is reported paid, and a failed line's file joins a new batch."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import sepaxml
import xmlschema
from django.core import mail
from django.urls import reverse
from stdnum.be import ogm_vcs

from conftest import make_user
from csgrants.accounts.models import Role
from csgrants.applications import trajectory
from csgrants.applications.models import Status
from csgrants.applications.tests.after_helpers import report_data
from csgrants.budgets.models import LedgerEntry
from csgrants.core.errors import PermissionDenied, ValidationFailed
from csgrants.payments import services
from csgrants.payments.models import BankAccount, PaymentBatch, PaymentLine

pytestmark = pytest.mark.django_db
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


@pytest.fixture
def second_manager(db):
    return make_user("budget2", Role.BUDGET_MANAGER)


def account_fields(**overrides):
    return {
        "holder": "Provider One BV",
        "iban": "BE68 5390 0754 7034",
        "bic": "GKCCBEBB",
        "street": "Kouter",
        "building_number": "12",
        "postal_code": "9000",
        "town": "Gent",
        **overrides,
    }


@pytest.fixture
def active_account(provider, budget_manager, second_manager):
    account = services.bank_account_propose(
        actor=budget_manager, provider=provider, **account_fields()
    )
    return services.bank_account_decide(actor=second_manager, account=account, approve=True)


@pytest.fixture
def completed(make_application, provider_user, reviewer):
    """Two files with an accepted final report, ready to pay."""

    def build():
        app = make_application("in_progress", reviewer=reviewer)
        trajectory.final_report_submit(actor=provider_user, application=app, **report_data())
        trajectory.final_report_accept(actor=reviewer, application=app)
        app.refresh_from_db()
        return app

    return [build(), build()]


def paid_total(app) -> Decimal:
    return sum(
        (
            e.amount_eur
            for e in LedgerEntry.objects.filter(application=app, kind=LedgerEntry.Kind.REALISE)
        ),
        Decimal(0),
    )


def test_bank_accounts_are_validated_and_changed_with_four_eyes(
    provider, provider_user, budget_manager, second_manager, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationFailed) as bad_iban:
        services.bank_account_propose(
            actor=budget_manager, provider=provider, **account_fields(iban="BE68 5390 0754 7035")
        )
    assert bad_iban.value.code == "INVALID_IBAN"
    with pytest.raises(ValidationFailed) as wrong_bic:
        services.bank_account_propose(
            actor=budget_manager,
            provider=provider,
            **account_fields(iban="BE10 0910 1234 5604", bic="GEBABEBB"),
        )
    assert wrong_bic.value.code == "BIC_MISMATCH"
    account = services.bank_account_propose(
        actor=budget_manager, provider=provider, **account_fields()
    )
    assert account.status == BankAccount.AccountStatus.PROPOSED
    assert account.iban == "BE68539007547034"
    with pytest.raises(PermissionDenied):
        services.bank_account_decide(actor=budget_manager, account=account, approve=True)
    provider_user.email = "an@provider.example"
    provider_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.bank_account_decide(actor=second_manager, account=account, approve=True)
    account.refresh_from_db()
    assert account.status == BankAccount.AccountStatus.ACTIVE
    [notice] = [m for m in mail.outbox if m.to == ["an@provider.example"]]
    assert "BE68539007547034" in notice.body


def test_the_preparer_cannot_approve_the_batch(
    completed, active_account, budget_manager, second_manager, client
):
    batch = services.batch_prepare(actor=budget_manager)
    assert batch.lines.count() == 2
    with pytest.raises(PermissionDenied):
        services.batch_approve(actor=budget_manager, batch=batch)
    client.force_login(budget_manager)
    client.post(reverse("payments:approve", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.BatchStatus.PREPARED
    # Nothing leaves for finance before the second approval.
    assert client.get(reverse("payments:export", args=[batch.pk, "pain001"])).status_code == 302
    client.force_login(second_manager)
    client.post(reverse("payments:approve", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.BatchStatus.APPROVED
    assert batch.approved_by == second_manager


def test_the_pain001_validates_against_the_schema_sepaxml_ships(
    completed, active_account, budget_manager, second_manager, client
):
    batch = services.batch_prepare(actor=budget_manager)
    services.batch_approve(actor=second_manager, batch=batch)
    client.force_login(budget_manager)
    response = client.get(reverse("payments:export", args=[batch.pk, "pain001"]))
    assert response.status_code == 200
    xmlschema.XMLSchema(str(XSD)).validate(response.content.decode())
    root = ET.fromstring(response.content)  # noqa: S314 (our own export)
    transfers = root.findall(".//p:CdtTrfTxInf", NS)
    assert len(transfers) == 2
    lines = {line.application.reference: line for line in batch.lines.all()}
    for tx in transfers:
        reference = tx.find("p:PmtId/p:EndToEndId", NS).text
        line = lines[reference]
        ref_inf = tx.find("p:RmtInf/p:Strd/p:CdtrRefInf", NS)
        assert ref_inf.find("p:Tp/p:CdOrPrtry/p:Cd", NS).text == "SCOR"
        assert ref_inf.find("p:Tp/p:Issr", NS).text == "BBA"
        assert ref_inf.find("p:Ref", NS).text == line.structured_communication
        assert ogm_vcs.is_valid(line.structured_communication)
        address = tx.find("p:Cdtr/p:PstlAdr", NS)
        assert [
            address.find(f"p:{tag}", NS).text
            for tag in ("StrtNm", "BldgNb", "PstCd", "TwnNm", "Ctry")
        ] == ["Kouter", "12", "9000", "Gent", "BE"]
        assert Decimal(tx.find("p:Amt/p:InstdAmt", NS).text) == line.amount_eur
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("payments:export", args=[batch.pk, "csv"])).content.decode()
            )
        )
    )
    assert {r["reference"] for r in rows} == set(lines)
    xlsx = client.get(reverse("payments:export", args=[batch.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def answer_file(rows) -> io.BytesIO:
    text = "reference,structured_communication,status,message,paid_on\n" + "".join(
        f"{ref},{ogm_vcs.format(comm)},{status},{message},2026-03-02\n"
        for ref, comm, status, message in rows
    )
    upload = io.BytesIO(text.encode())
    upload.name = "answer.csv"
    return upload


def test_only_paid_realises_and_a_failed_line_joins_a_new_batch(
    completed, active_account, budget_manager, second_manager, client
):
    first, second = completed
    batch = services.batch_prepare(actor=budget_manager)
    services.batch_approve(actor=second_manager, batch=batch)
    # Approved and exported, but not reported paid: the ledger has paid nothing.
    assert paid_total(first) == paid_total(second) == 0
    line_1 = batch.lines.get(application=first)
    line_2 = batch.lines.get(application=second)
    client.force_login(budget_manager)
    client.post(
        reverse("payments:answer", args=[batch.pk]),
        {
            "file": answer_file(
                [
                    (first.reference, line_1.structured_communication, "paid", ""),
                    (second.reference, line_2.structured_communication, "failed", "IBAN closed"),
                ]
            )
        },
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.CLOSED and paid_total(first) == line_1.amount_eur
    assert first.payment.amount_eur == line_1.amount_eur
    assert second.status == Status.COMPLETED and paid_total(second) == 0
    line_2.refresh_from_db()
    assert (line_2.status, line_2.message) == (PaymentLine.LineStatus.FAILED, "IBAN closed")
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.BatchStatus.CLOSED
    # The failed file is payable again and joins the next batch; the paid one never again.
    assert list(services.payable_files()) == [second]
    again = services.batch_prepare(actor=second_manager)
    assert [line.application for line in again.lines.all()] == [second]
    services.batch_approve(actor=budget_manager, batch=again)
    result = services.batch_answer_import(
        actor=budget_manager,
        text=f"reference,status,message,paid_on\n{second.reference},paid,,2026-03-09\n",
    )
    assert result["paid"] == 1
    second.refresh_from_db()
    assert second.status == Status.CLOSED and paid_total(second) > 0


def test_a_formula_in_the_account_holder_is_text_in_the_batch_exports(
    completed, provider, budget_manager, second_manager, client
):
    """Issue 20, item 7: the CSV and XLSX orders neutralise text a spreadsheet would run; the
    amounts stay numbers."""
    from openpyxl import load_workbook

    holder = '=HYPERLINK("http://evil.example","Provider One BV")'
    account = services.bank_account_propose(
        actor=budget_manager, provider=provider, **account_fields(holder=holder)
    )
    services.bank_account_decide(actor=second_manager, account=account, approve=True)
    batch = services.batch_prepare(actor=budget_manager)
    services.batch_approve(actor=second_manager, batch=batch)
    client.force_login(budget_manager)
    text = client.get(reverse("payments:export", args=[batch.pk, "csv"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    for row in rows:
        assert row["account_holder"] == "'" + holder
        assert Decimal(row["amount_eur"]) > 0
    xlsx = client.get(reverse("payments:export", args=[batch.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cell = row[header.index("account_holder")]
        assert cell.value == "'" + holder and cell.data_type == "s"
        assert row[header.index("amount_eur")].data_type == "n"
