"""The history import contract (shared/contracts/history-import.md): every error with its line,
nothing imported on any error, idempotent, BOM, former package names, derived fields."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from csgrants.applications.models import Amendment, Application, Decision, StatusChange
from csgrants.budgets.models import Allocation, LedgerEntry
from csgrants.budgets.selectors import provider_balance
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.models import AuditEvent
from csgrants.enterprises.models import Enterprise
from csgrants.imports.services import ImportFailed, history_import

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "history"
APP_HEADER = (
    "reference,service_provider,enterprise_number,enterprise_name,enterprise_kind,postal_code,package,"
    "extensions,cost_eur,subsidy_eur,submitted_on,status,decided_on,rejection_reason"
)
GOOD = [
    "CS-2021-0001,P01,0403.170.701,Bakkerij Peeters BV,kmo,9000,basis,EXTENSION,40000.00,18000.00,2021-03-01,closed,2021-03-05,",
    "CS-2021-0002,P02,BE0202239951,Metaal Maes NV,kmo,3500,LIGHT,,20000.00,9000.00,2021-07-20,approved,2021-07-22,",
    "CS-2021-0003,P02,0417497106,Drukkerij Claes BV,kmo,8500,basis,,35000.00,15750.00,2021-09-01,rejected,2021-09-03,NOT_SME;DE_MINIMIS_CEILING",
    "CS-2021-0004,P03,0404.616.494,Transport Aerts BV,maatwerkbedrijf,2000,check&plan,,17500.00,,2021-10-04,withdrawn,2021-10-06,",
]
AMEND_HEADER = (
    "reference,kind,package,extra_cost_eur,extra_subsidy_eur,requested_on,status,decided_on"
)


def write(folder: Path, name: str, header: str, rows, bom=False):
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join([header, *rows]) + "\n"
    (folder / name).write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return folder


def errors_of(folder):
    with pytest.raises(ImportFailed) as exc:
        history_import(folder)
    return exc.value.lines


def assert_nothing_imported():
    assert Application.objects.count() == 0
    assert Enterprise.objects.count() == 0
    assert LedgerEntry.objects.count() == 0
    assert Allocation.objects.count() == 0
    assert not AuditEvent.objects.filter(action="history.import").exists()


@pytest.fixture
def good(tmp_path):
    write(tmp_path, "applications.csv", APP_HEADER, GOOD)
    write(
        tmp_path,
        "allocations.csv",
        "service_provider,allocated_on,amount_eur,note",
        [
            "P01,2021-01-01,100000.00,framework agreement",
            "P02,2021-01-01,100000.00,framework agreement",
        ],
    )
    write(
        tmp_path,
        "amendments.csv",
        AMEND_HEADER,
        [
            "CS-2021-0002,upgrade,basis,12000.00,5400.00,2021-08-02,approved,2021-08-04",
            "CS-2021-0002,extension,uitbreiding,6000.00,2700.00,2021-11-02,approved,2021-11-04",
        ],
    )
    return tmp_path


def test_a_good_folder_becomes_ordinary_files(db, good):
    summary = history_import(good)
    assert summary.files["applications.csv"].created == 4
    assert summary.files["amendments.csv"].created == 2
    assert summary.files["allocations.csv"].created == 2
    closed = Application.objects.get(reference="CS-2021-0001")
    assert closed.imported and closed.status == "closed"
    assert closed.province == "BE-VOV" and closed.enterprise.region == "flanders"
    assert closed.enterprise.number == "0403.170.701"
    assert [p.code for p in closed.extensions.all()] == ["EXTENSION"]
    # Working days from Monday 1 March (exclusive) to Friday 5 March (inclusive).
    assert closed.processing_working_days == 4
    # The history runs along the workflow table (approved -> in progress -> completed ->
    # closed), never a step the table does not have.
    assert list(closed.history.values_list("to_status", flat=True)) == [
        "submitted",
        "approved",
        "in_progress",
        "completed",
        "closed",
    ]
    # Former name, any case; Tue 20 -> Thu 22 July 2021 spans 21 July (national holiday): 1.
    light = Application.objects.get(reference="CS-2021-0002")
    assert light.package.code == "MEDIUM"
    assert light.current_package.code == "PLUS"  # the approved upgrade
    assert light.processing_working_days == 1
    rejected = Application.objects.get(reference="CS-2021-0003")
    decision = Decision.objects.get(application=rejected, amendment__isnull=True)
    assert sorted(decision.reasons.values_list("code", flat=True)) == [
        "DE_MINIMIS_CEILING",
        "NOT_SME",
    ]
    withdrawn = Application.objects.get(reference="CS-2021-0004")
    assert (withdrawn.decided_on, str(withdrawn.closed_on)) == (None, "2021-10-06")
    assert withdrawn.enterprise_kind == "maatwerkbedrijf"
    # Historical amounts as given; the ledger adds up: closed = committed and paid.
    p1 = ServiceProvider.objects.get(code="P01")
    b1 = provider_balance(p1)
    assert (b1.allocated, b1.committed, b1.realised) == (
        Decimal("100000.00"),
        Decimal("18000.00"),
        Decimal("18000.00"),
    )
    b2 = provider_balance(ServiceProvider.objects.get(code="P02"))
    assert b2.committed == Decimal("9000.00") + Decimal("5400.00") + Decimal("2700.00")
    assert b2.realised == 0
    assert Amendment.objects.filter(status="approved").count() == 2
    # One audit event for the run.
    event = AuditEvent.objects.get(action="history.import")
    assert event.after["files"]["applications.csv"]["created"] == 4


def test_importing_twice_changes_nothing(db, good):
    history_import(good)
    counts = (
        Application.objects.count(),
        StatusChange.objects.count(),
        LedgerEntry.objects.count(),
        Amendment.objects.count(),
        Allocation.objects.count(),
        Decision.objects.count(),
    )
    again = history_import(good)
    assert again.files["applications.csv"].created == 0
    assert again.files["applications.csv"].unchanged == 4
    assert again.files["amendments.csv"].unchanged == 2
    assert again.files["allocations.csv"].unchanged == 2
    assert counts == (
        Application.objects.count(),
        StatusChange.objects.count(),
        LedgerEntry.objects.count(),
        Amendment.objects.count(),
        Allocation.objects.count(),
        Decision.objects.count(),
    )


def test_a_bom_is_accepted(db, tmp_path):
    write(tmp_path, "applications.csv", APP_HEADER, GOOD[:1], bom=True)
    assert history_import(tmp_path).files["applications.csv"].created == 1


def test_bad_enterprise_number(db, good):
    write(
        good,
        "applications.csv",
        APP_HEADER,
        [
            *GOOD,
            GOOD[0].replace("CS-2021-0001", "CS-2021-0009").replace("0403.170.701", "0403.170.702"),
        ],
    )
    lines = errors_of(good)
    assert lines == [
        "applications.csv:6: enterprise_number: '0403.170.702' is not a valid enterprise number (checksum 97)"
    ]
    assert_nothing_imported()


def test_unknown_package(db, good):
    write(good, "applications.csv", APP_HEADER, [GOOD[0], GOOD[1].replace("LIGHT", "platinum")])
    assert errors_of(good) == ["applications.csv:3: package: unknown package 'platinum'"]
    assert_nothing_imported()


def test_missing_column(db, good):
    header = APP_HEADER.replace(",cost_eur", "")
    rows = [",".join(c for i, c in enumerate(r.split(",")) if i != 8) for r in GOOD]
    write(good, "applications.csv", header, rows)
    assert "applications.csv:1: cost_eur: required column is missing" in errors_of(good)
    assert_nothing_imported()


def test_unknown_column(db, good):
    write(good, "applications.csv", APP_HEADER + ",colour", [r + ",blue" for r in GOOD])
    lines = errors_of(good)
    assert lines[0].startswith("applications.csv:1: colour: unknown column")
    assert_nothing_imported()


def test_rejected_row_without_reason(db, good):
    write(
        good,
        "applications.csv",
        APP_HEADER,
        [*GOOD[:2], GOOD[2].replace("NOT_SME;DE_MINIMIS_CEILING", "")],
    )
    assert errors_of(good) == [
        "applications.csv:4: rejection_reason: required when the status is rejected"
    ]
    assert_nothing_imported()


def test_duplicate_reference_with_other_values_in_the_file(db, good):
    write(good, "applications.csv", APP_HEADER, [*GOOD, GOOD[0].replace("40000.00", "41000.00")])
    lines = errors_of(good)
    assert len(lines) == 1
    assert lines[0].startswith(
        "applications.csv:6: cost_eur: reference CS-2021-0001 is already stored with other values"
    )
    assert_nothing_imported()


def test_duplicate_reference_with_other_values_in_the_database(db, good, tmp_path):
    history_import(good)
    before = Application.objects.count()
    later = tmp_path / "later"
    write(later, "applications.csv", APP_HEADER, [GOOD[1].replace("2021-07-22", "2021-07-23")])
    lines = errors_of(later)
    assert lines == [
        "applications.csv:2: decided_on: reference CS-2021-0002 is already stored with other values "
        "(stored: 2021-07-22; this row: 2021-07-23)"
    ]
    assert Application.objects.count() == before


def test_every_error_is_reported_and_nothing_is_imported(db, good):
    write(
        good,
        "applications.csv",
        APP_HEADER,
        [
            GOOD[0],
            GOOD[1].replace("20000.00", "20000.123"),
            GOOD[2].replace("2021-09-03", "03/09/2021"),
            GOOD[3].replace("2000,", "200,"),
            "CS-2021-0005,P01,0484.043.757,X,kmo,9000,basis,,30000.00,,2021-02-01,approved,2021-02-03,",
        ],
    )
    write(
        good,
        "amendments.csv",
        AMEND_HEADER,
        ["CS-1999-0001,upgrade,PLUS,1000.00,450.00,2021-08-02,approved,2021-08-04"],
    )
    lines = errors_of(good)
    assert lines == [
        "applications.csv:3: cost_eur: '20000.123': Use at most 2 decimals.",
        "applications.csv:4: decided_on: '03/09/2021' is not a date (YYYY-MM-DD)",
        "applications.csv:5: postal_code: '200' is not a Belgian postal code (4 digits)",
        "applications.csv:6: subsidy_eur: required when the status is approved",
        "amendments.csv:2: reference: unknown application reference 'CS-1999-0001'",
    ]
    assert_nothing_imported()


def test_amendments_need_applications(db, tmp_path):
    write(tmp_path, "amendments.csv", AMEND_HEADER, [])
    assert errors_of(tmp_path) == [
        "amendments.csv:0: -: applications.csv must be in the same folder"
    ]


def test_command_prints_errors_and_fails(db, good, capsys):
    write(good, "applications.csv", APP_HEADER, [GOOD[1].replace("LIGHT", "platinum")])
    with pytest.raises(CommandError):
        call_command("import_history", str(good), "--no-progress")
    assert "applications.csv:2: package: unknown package 'platinum'" in capsys.readouterr().err
    assert_nothing_imported()


def test_command_prints_a_summary(db, tmp_path, capsys):
    shutil.copytree(FIXTURES, tmp_path / "h", ignore=shutil.ignore_patterns("*.py"))
    call_command("import_history", str(tmp_path / "h"), "--no-progress")
    out = capsys.readouterr().out
    assert "applications.csv: 107 imported" in out and "amendments.csv: 10 imported" in out


def _foreign_keys():
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' ORDER BY 1, 2"
        )
        keys = cur.fetchall()
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
        )
        return keys + cur.fetchall()


def test_a_large_import_checks_keys_and_builds_indexes_once_and_keeps_them(
    postgres_only, good, monkeypatch
):
    monkeypatch.setattr(
        "csgrants.imports.services.BULK_CHECK_ROWS", 0
    )  # this folder counts as large
    before = _foreign_keys()
    summary = history_import(good)
    assert summary.files["applications.csv"].created == 4
    assert _foreign_keys() == before
    # created -> submitted -> approved -> in progress -> completed -> closed (the table's way)
    assert StatusChange.objects.filter(application__reference="CS-2021-0001").count() == 5


def test_a_failed_large_import_leaves_nothing_and_keeps_the_foreign_keys(
    postgres_only, good, monkeypatch
):
    monkeypatch.setattr("csgrants.imports.services.BULK_CHECK_ROWS", 0)
    before = _foreign_keys()
    rows = [
        *GOOD,
        "CS-2021-0005,P01,0403.170.702,X BV,kmo,9000,basis,,40000.00,18000.00,2021-03-01,closed,2021-03-05,",
    ]
    write(good, "applications.csv", APP_HEADER, rows)
    assert any("enterprise_number" in line for line in errors_of(good))
    assert_nothing_imported()
    assert _foreign_keys() == before


def test_a_row_pointing_nowhere_fails_when_the_keys_are_added_back(postgres_only):
    from django.db import IntegrityError, connection, transaction

    from csgrants.imports.bulk import foreign_keys_checked_once

    before = _foreign_keys()
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        foreign_keys_checked_once([StatusChange]),
        connection.cursor() as cur,
    ):
        cur.execute(
            "INSERT INTO applications_statuschange (application_id, from_status, to_status, actor_label, "
            "at, \"on\", note) VALUES (987654321, '', 'submitted', 'x', now(), current_date, '')"
        )
    assert _foreign_keys() == before
