"""import_kbo: the "Must show" points of issue 8, on SQLite and (with DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from csgrants.core.models import AuditEvent
from csgrants.enterprises import models as m
from csgrants.enterprises.kbo import KboImportError
from csgrants.enterprises.services import kbo_import

DATA = Path(__file__).parent / "data"
FULL_140 = DATA / "full_0140"
UPDATE_141 = DATA / "update_0141"
FULL_142 = DATA / "full_0142"
REGISTER = [
    m.KboEnterprise,
    m.KboEstablishment,
    m.KboBranch,
    m.KboDenomination,
    m.KboAddress,
    m.KboContact,
    m.KboActivity,
    m.KboCode,
]


def register_state() -> dict[str, list[tuple]]:
    """Every register row, without surrogate ids, sorted: two states compare by content."""
    state = {}
    for model in REGISTER:
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not (f.primary_key and f.get_internal_type() == "BigAutoField")
        ]
        state[model.__name__] = sorted(model.objects.values_list(*fields))
    return state


def run(path) -> None:
    kbo_import(actor=None, path=path)


def copy_dump(src: Path, tmp_path: Path, name: str = "dump") -> Path:
    dest = tmp_path / name
    shutil.copytree(src, dest)
    return dest


def set_line(path: Path, line_no: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line_no - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def zip_dump(src: Path, target: Path, folder: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(src.iterdir()):
            zf.write(p, f"{folder}{p.name}")
    return target


@pytest.mark.django_db
def test_full_dump_loads_every_file():
    run(FULL_140)
    assert m.KboEnterprise.objects.count() == 6
    assert m.KboEstablishment.objects.count() == 6
    assert m.KboDenomination.objects.count() == 13
    assert m.KboAddress.objects.count() == 11
    assert m.KboContact.objects.count() == 4
    assert m.KboActivity.objects.count() == 9
    assert m.KboBranch.objects.get().enterprise_number == "0203.201.340"
    natural_person = m.KboEnterprise.objects.get(enterprise_number="0417.497.106")
    assert natural_person.type_of_enterprise == "1" and natural_person.juridical_form == ""
    assert str(natural_person.start_date) == "2005-02-01"
    seat = m.KboAddress.objects.get(entity_number="0403.199.702")
    assert (seat.box, seat.extra_address_info, seat.date_striking_off) == (
        "3",
        "bus achteraan",
        None,
    )
    assert m.KboDenomination.objects.filter(denomination="Brüsseler Unternehmen").exists()
    record = m.KboImport.objects.get()
    assert (record.kind, record.extract_number, str(record.snapshot_date)) == (
        "full",
        "140",
        "2025-10-03",
    )
    assert record.rows["denomination.csv"] == 13
    assert AuditEvent.objects.filter(action="kbo.import").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("folder", ["", "KboOpenData_0140_2025_10_03_Full/"])
def test_full_dump_as_zip(tmp_path, folder):
    run(zip_dump(FULL_140, tmp_path / "KboOpenData_0140_2025_10_03_Full.zip", folder))
    from_zip = register_state()
    run(FULL_140)
    assert register_state() == from_zip
    assert len(from_zip["KboDenomination"]) == 13


@pytest.mark.django_db
def test_update_zip_after_full_zip(tmp_path):
    run(zip_dump(FULL_140, tmp_path / "full.zip"))
    run(zip_dump(UPDATE_141, tmp_path / "update.zip"))
    assert not m.KboEnterprise.objects.filter(enterprise_number="0404.616.494").exists()
    assert m.KboImport.objects.filter(kind="update").count() == 1


@pytest.mark.django_db
def test_update_after_full_equals_next_full():
    run(FULL_140)
    run(UPDATE_141)
    updated = register_state()
    run(FULL_142)
    assert register_state() == updated
    # and the update did change something: the stopped enterprise is gone, the new one is there
    assert not m.KboEnterprise.objects.filter(enterprise_number="0404.616.494").exists()
    assert m.KboDenomination.objects.filter(
        entity_number="0431.852.116", denomination="Nieuwkomer BV"
    ).exists()
    assert list(
        m.KboDenomination.objects.filter(entity_number="0403.170.701")
        .order_by("denomination")
        .values_list("denomination", flat=True)
    ) == ["Exemple Nouveau SA", "Voorbeeld", "Voorbeeld Nieuw NV"]


@pytest.mark.django_db
@pytest.mark.parametrize("dump", [FULL_140, UPDATE_141])
def test_importing_the_same_dump_twice_changes_nothing(dump):
    run(FULL_140)
    run(dump)
    once = register_state()
    run(dump)
    assert register_state() == once


@pytest.mark.django_db
def test_update_applies_deletes_before_inserts(tmp_path):
    """An entity named in a _delete file and in the _insert file keeps the inserted rows."""
    run(FULL_140)
    dump = copy_dump(UPDATE_141, tmp_path)
    # Listing the insert file first in the folder must not matter.
    (dump / "denomination_delete.csv").write_text(
        '"EntityNumber"\n"0403.170.701"\n', encoding="utf-8"
    )
    run(dump)
    names = set(
        m.KboDenomination.objects.filter(entity_number="0403.170.701").values_list(
            "denomination", flat=True
        )
    )
    assert names == {"Voorbeeld Nieuw NV", "Exemple Nouveau SA", "Voorbeeld"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "header", "column"),
    [
        (
            "enterprise.csv",
            '"EnterpriseNumber","Status","JuridicalSituation","TypeOfEnterprise","JuridicalForm","StartDate"',
            "JuridicalFormCAC",
        ),
        (
            "denomination.csv",
            '"EntityNumber","Language","TypeOfDenomination","Name"',
            "Denomination",
        ),
        (
            "address.csv",
            '"EntityNumber","TypeOfAddress","CountryNL","CountryFR","ZipCode","MunicipalityNL","MunicipalityFR",'
            '"StreetNL","StreetFR","HouseNumber","Box","ExtraAddressInfo","DateStrikingOff"',
            "Zipcode",
        ),
    ],
)
def test_missing_or_renamed_column_is_an_error_naming_file_and_column(
    tmp_path, filename, header, column
):
    dump = copy_dump(FULL_140, tmp_path)
    set_line(dump / filename, 1, header)
    with pytest.raises(KboImportError) as exc:
        run(dump)
    assert filename in exc.value.message and repr(column) in exc.value.message
    assert not m.KboEnterprise.objects.exists()


@pytest.mark.django_db
def test_header_of_a_delete_file_is_checked(tmp_path):
    dump = copy_dump(UPDATE_141, tmp_path)
    set_line(dump / "address_delete.csv", 1, '"EnterpriseNumber"')
    with pytest.raises(
        KboImportError, match=r"address_delete\.csv: column 'EntityNumber' is missing"
    ):
        run(dump)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "line", "text", "expected"),
    [
        (
            "enterprise.csv",
            3,
            '"0202.239.951","AC","000","2","610",,31-02-2012',
            r"enterprise\.csv, line 3: malformed date '31-02-2012' in column StartDate",
        ),
        (
            "establishment.csv",
            4,
            '"2.110.000.002",2012-03-15x,"0202.239.951"',
            r"establishment\.csv, line 4: malformed date '2012-03-15x' in column StartDate",
        ),
        (
            "address.csv",
            5,
            '"2.110.000.002","BAET",,,"2800","Mechelen","Malines","Bruul","Bruul","3","","",99-99-2020',
            r"address\.csv, line 5: malformed date '99-99-2020' in column DateStrikingOff",
        ),
        (
            "enterprise.csv",
            4,
            '"0417.497.107","AC","000","1",,,01-02-2005',
            r"enterprise\.csv, line 4: malformed enterprise number '0417\.497\.107' in column EnterpriseNumber",
        ),
        (
            "establishment.csv",
            2,
            '"2.000.000.339",01-11-1974,"403.170.701"',
            r"establishment\.csv, line 2: malformed enterprise number '403\.170\.701' in column EnterpriseNumber",
        ),
        (
            "establishment.csv",
            6,
            '"2130000004",01-02-2005,"0417.497.106"',
            r"establishment\.csv, line 6: malformed establishment number '2130000004' in column EstablishmentNumber",
        ),
        (
            "denomination.csv",
            9,
            '"BE0417497106","2","003","Bakkerij Janssens"',
            r"denomination\.csv, line 9: malformed enterprise or establishment number 'BE0417497106' in column EntityNumber",
        ),
    ],
)
def test_malformed_values_are_reported_with_file_and_line(tmp_path, filename, line, text, expected):
    dump = copy_dump(FULL_140, tmp_path)
    set_line(dump / filename, line, text)
    with pytest.raises(KboImportError, match=expected):
        run(dump)


@pytest.mark.django_db
def test_malformed_value_in_an_update_file_is_reported(tmp_path):
    run(FULL_140)
    before = register_state()
    dump = copy_dump(UPDATE_141, tmp_path)
    set_line(dump / "enterprise_insert.csv", 3, '"0431.852.116","AC","000","2","610",,32-10-2025')
    with pytest.raises(
        KboImportError, match=r"enterprise_insert\.csv, line 3: malformed date '32-10-2025'"
    ):
        run(dump)
    assert register_state() == before


@pytest.mark.django_db
def test_duplicate_enterprise_number_is_reported_with_line(tmp_path):
    dump = copy_dump(FULL_140, tmp_path)
    set_line(dump / "enterprise.csv", 5, '"0403.170.701","AC","000","2","014",,09-08-1960')
    with pytest.raises(
        KboImportError,
        match=r"enterprise\.csv, line 5: EnterpriseNumber '0403\.170\.701' occurs twice",
    ):
        run(dump)


@pytest.mark.django_db
def test_failed_full_import_leaves_previous_data_intact(tmp_path):
    run(FULL_140)
    before = register_state()
    dump = copy_dump(FULL_142, tmp_path)
    # The very last file read is broken: everything before it was already written.
    lines = (dump / "branch.csv").read_text(encoding="utf-8").splitlines()
    set_line(dump / "branch.csv", len(lines), '"9.000.006.626",31-04-2012,"0203.201.340"')
    with pytest.raises(KboImportError, match=r"branch\.csv, line 2"):
        run(dump)
    assert register_state() == before
    assert m.KboImport.objects.count() == 1
    # and the register still works for the next import
    run(FULL_142)
    assert m.KboEnterprise.objects.filter(enterprise_number="0431.852.116").exists()


@pytest.mark.django_db
def test_failed_update_leaves_previous_data_intact(tmp_path):
    run(FULL_140)
    before = register_state()
    dump = copy_dump(UPDATE_141, tmp_path)
    set_line(dump / "activity_insert.csv", 2, '"0431.852.116","001","2008","85592"')
    with pytest.raises(KboImportError, match=r"activity_insert\.csv"):
        run(dump)
    assert register_state() == before


@pytest.mark.django_db
def test_meta_decides_the_kind(tmp_path):
    dump = copy_dump(FULL_140, tmp_path)
    (dump / "meta.csv").unlink()
    with pytest.raises(KboImportError, match="meta.csv is missing"):
        run(dump)
    (dump / "meta.csv").write_text('"Variable","Value"\n"ExtractType","weekly"\n', encoding="utf-8")
    with pytest.raises(KboImportError, match="ExtractType must be 'full' or 'update'"):
        run(dump)
    (dump / "meta.csv").write_text('"Variable","Value"\n"ExtractType","full"\n', encoding="utf-8")
    (dump / "contact.csv").unlink()
    with pytest.raises(KboImportError, match=r"contact\.csv is missing from the full dump"):
        run(dump)


@pytest.mark.django_db
def test_full_dump_without_activities_keeps_them(tmp_path):
    run(FULL_140)
    dump = copy_dump(FULL_142, tmp_path)
    (dump / "activity.csv").unlink()
    result = kbo_import(actor=None, path=dump)
    assert result.skipped == ["activity.csv"]
    assert m.KboActivity.objects.count() == 9
    assert m.KboEnterprise.objects.filter(enterprise_number="0431.852.116").exists()


@pytest.mark.django_db
def test_file_with_byte_order_mark_and_crlf(tmp_path):
    dump = copy_dump(FULL_140, tmp_path)
    for name in ("enterprise.csv", "denomination.csv"):
        text = (dump / name).read_text(encoding="utf-8")
        (dump / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    run(dump)
    assert m.KboEnterprise.objects.count() == 6
    assert m.KboDenomination.objects.filter(denomination="Voorbeeld NV").exists()


@pytest.mark.django_db
def test_command_prints_progress_and_summary(capsys):
    out = io.StringIO()
    call_command("import_kbo", str(FULL_140), stdout=out)
    text = out.getvalue()
    assert "KBO full dump 140" in text
    assert "denomination.csv" in text and "13 rows" in text
    assert "total" in text
    assert "enterprise.csv" in capsys.readouterr().err  # tqdm progress bars go to stderr


@pytest.mark.django_db
def test_command_failure_says_nothing_changed(tmp_path):
    dump = copy_dump(FULL_140, tmp_path)
    set_line(dump / "enterprise.csv", 2, '"0403.170.701","AC","000","2","014",,09-13-1960')
    with pytest.raises(CommandError, match=r"nothing was changed: enterprise\.csv, line 2"):
        call_command("import_kbo", str(dump), "--no-progress", stdout=io.StringIO())


@pytest.fixture
def committed(django_db_serialized_rollback, transactional_db):
    """Imports that commit (no test transaction around them): the way `import_kbo` runs, with
    COPY on a second connection overlapping the index builds. Serialized rollback, like every
    transactional test here: a plain flush re-creates the content types with new ids, which a
    later serialized test's reload then clashes with."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the overlapped COPY path); set DATABASE_URL")
    yield
    with connection.cursor() as cur:
        for model in REGISTER:
            cur.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 (model metadata)


def test_overlapped_full_import_commits_and_fails_atomically(committed, tmp_path):
    from django.db import connection

    run(FULL_140)
    run(UPDATE_141)
    updated = register_state()
    run(FULL_142)
    assert register_state() == updated
    run(FULL_142)
    assert register_state() == updated
    broken = copy_dump(FULL_140, tmp_path)
    set_line(
        broken / "address.csv",
        3,
        '"2.000.000.339","BAET",,,"9000","Gent","Gand","Veldstraat","Veldstraat","10","","",30-02-2020',
    )
    with pytest.raises(KboImportError, match=r"address\.csv, line 3: malformed date '30-02-2020'"):
        run(broken)
    assert register_state() == updated
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'enterprises_kbo%%__new'")
        assert cur.fetchone()[0] == 0  # the committed staging tables were dropped
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'enterprises_kbodenomination'"
        )
        assert [r[0] for r in cur.fetchall()] == ["kbo_denom_entity_idx"]


@pytest.mark.parametrize(
    ("name", "lines", "suspicious"),
    [
        ("enterprise", ['"0403.170.701","AC","000","2","014",,09-08-1960'], False),
        ("enterprise", ['"0403.170.701","AC","000","2","014",,'], False),
        ("enterprise", ['"0403.170.702","AC","000","2","014",,09-08-1960'], True),  # checksum
        ("enterprise", ['"0403.170.701","AC","000","2","014",,9-8-1960'], True),
        ("establishment", ['"2.000.000.339",01-11-1974,"0403.170.701"'], False),
        ("establishment", ['"2.000.000.339",,"0403.170.701"'], False),
        ("establishment", ['"2.000.000.339",01-11-1974,"0403.170.700"'], True),
        (
            "denomination",
            ['"2.000.000.339","2","003","A, ""quoted"" name"', '"0403.170.701","2","001","B"'],
            False,
        ),
        ("denomination", ['"0403170701","2","001","B"'], True),
        ("denomination", ['"9.000.000.339","2","001","B"'], True),
        (
            "address",
            ['"0403.170.701","REGO",,,"9000","Gent","Gand","K","K","1","","",31-12-2020'],
            False,
        ),
        (
            "address",
            ['"0403.170.701","REGO",,,"9000","Gent","Gand","K","K","1","","",2020-12-31'],
            True,
        ),
        ("branch", ['"9.000.006.626",12-12-2012,"0203.201.340"'], False),
        ("branch", ['"9.000.006.626",12-12-2012,"0203.201.341"'], True),
    ],
)
def test_fast_screen_of_copied_bytes(name, lines, suspicious):
    from csgrants.enterprises.kbo import SPECS, FastCheck

    spec = next(s for s in SPECS if s.name == name)
    check = FastCheck(spec.columns)
    assert check.suspicious(("\n".join(lines) + "\n").encode()) is suspicious
    assert check.suspicious(("\r\n".join(lines) + "\r\n").encode()) is suspicious


def test_overlapped_import_from_zip_and_duplicate_key(committed, tmp_path):
    run(zip_dump(FULL_140, tmp_path / "full.zip", "KboOpenData_0140_2025_10_03_Full/"))
    before = register_state()
    assert len(before["KboEnterprise"]) == 6
    broken = copy_dump(FULL_142, tmp_path)
    set_line(broken / "enterprise.csv", 4, '"0202.239.951","AC","000","2","610",,15-03-2012')
    with pytest.raises(
        KboImportError,
        match=r"enterprise\.csv, line 4: EnterpriseNumber '0202\.239\.951' occurs twice",
    ):
        run(zip_dump(broken, tmp_path / "broken.zip"))
    assert register_state() == before
