"""Import of the KBO/BCE open data dumps (Cookbook KBO Open data R018.00, sections 1.5 and 2).

A dump is a zip or a folder with `meta.csv` (ExtractType `full` or `update`), `code.csv` (always
complete) and per register file either the whole file (full dump) or a `<name>_delete.csv` with
the key column and a `<name>_insert.csv` with all current rows of the affected entities
(update). Updates apply every `_delete` file before any `_insert` file.

Two ways to write, one set of rules (header check, dd-mm-yyyy dates, enterprise numbers in the
0403.170.701 form with their mod-97 check digits, establishment numbers 2.000.000.339; every
error names the file and, for a value, the line):

- PostgreSQL: the CSV bytes go unparsed into `COPY`. On their way, `FastCheck` screens whole
  1 MB chunks at once with numpy (number and date columns sit at the start or end of a line),
  and PostgreSQL rejects what is left (impossible dates, broken quoting, a wrong number of
  columns) with the line number in its error. Only when the screen finds something does Python
  parse that file row by row, to name the line. A full dump is copied into fresh staging tables
  (on a second connection, so the index builds of one file overlap the COPY of the next), which
  then replace the register tables inside the import's one transaction; an update is copied
  into temporary tables and merged set-wise (DELETE by key, INSERT ... SELECT) in one
  transaction. A failed import leaves the previous register untouched.
- Other databases (SQLite): the rows are parsed with the csv module, validated in Python and
  written with batched `executemany`, in one transaction.

Memory does not depend on the size of the files: both paths stream in fixed-size chunks.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from tqdm import tqdm

from csgrants.core import enterprise_number
from csgrants.core.errors import DomainError
from csgrants.enterprises import models as m

CHUNK = 1 << 20
# (phase, seconds) of the running import on PostgreSQL, shown by `import_kbo -v 2`.
PHASES: list[tuple[str, float]] = []
BATCH = 5000

ESTABLISHMENT_RE = re.compile(r"^[2-8]\.[0-9]{3}\.[0-9]{3}\.[0-9]{3}$")
DATE_RE = re.compile(r"^[0-9]{2}-[0-9]{2}-[0-9]{4}$")


class KboImportError(DomainError):
    code = "KBO_IMPORT_ERROR"
    status = 400


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    # text | date | enterprise | establishment | entity (enterprise or establishment number)
    kind: str = "text"


@dataclass(frozen=True)
class FileSpec:
    name: str
    model: type
    columns: tuple[Column, ...]
    key: str  # header of the column the `_delete` file carries
    required: bool = True

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)

    def by_field(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)


C = Column
CODE = FileSpec(
    "code",
    m.KboCode,
    (
        C("Category", "category"),
        C("Code", "code"),
        C("Language", "language"),
        C("Description", "description"),
    ),
    key="Category",
)
SPECS = (
    FileSpec(
        "enterprise",
        m.KboEnterprise,
        (
            C("EnterpriseNumber", "enterprise_number", "enterprise"),
            C("Status", "status"),
            C("JuridicalSituation", "juridical_situation"),
            C("TypeOfEnterprise", "type_of_enterprise"),
            C("JuridicalForm", "juridical_form"),
            C("JuridicalFormCAC", "juridical_form_cac"),
            C("StartDate", "start_date", "date"),
        ),
        key="EnterpriseNumber",
    ),
    FileSpec(
        "establishment",
        m.KboEstablishment,
        (
            C("EstablishmentNumber", "establishment_number", "establishment"),
            C("StartDate", "start_date", "date"),
            C("EnterpriseNumber", "enterprise_number", "enterprise"),
        ),
        key="EstablishmentNumber",
    ),
    FileSpec(
        "denomination",
        m.KboDenomination,
        (
            C("EntityNumber", "entity_number", "entity"),
            C("Language", "language"),
            C("TypeOfDenomination", "type_of_denomination"),
            C("Denomination", "denomination"),
        ),
        key="EntityNumber",
    ),
    FileSpec(
        "address",
        m.KboAddress,
        (
            C("EntityNumber", "entity_number", "entity"),
            C("TypeOfAddress", "type_of_address"),
            C("CountryNL", "country_nl"),
            C("CountryFR", "country_fr"),
            C("Zipcode", "zipcode"),
            C("MunicipalityNL", "municipality_nl"),
            C("MunicipalityFR", "municipality_fr"),
            C("StreetNL", "street_nl"),
            C("StreetFR", "street_fr"),
            C("HouseNumber", "house_number"),
            C("Box", "box"),
            C("ExtraAddressInfo", "extra_address_info"),
            C("DateStrikingOff", "date_striking_off", "date"),
        ),
        key="EntityNumber",
    ),
    FileSpec(
        "contact",
        m.KboContact,
        (
            C("EntityNumber", "entity_number", "entity"),
            C("EntityContact", "entity_contact"),
            C("ContactType", "contact_type"),
            C("Value", "value"),
        ),
        key="EntityNumber",
    ),
    # activity.csv is 1.6 GB with 36.6M rows; a dump without it (or a site that does not need the
    # NACE codes) leaves the activities as they were.
    FileSpec(
        "activity",
        m.KboActivity,
        (
            C("EntityNumber", "entity_number", "entity"),
            C("ActivityGroup", "activity_group"),
            C("NaceVersion", "nace_version"),
            C("NaceCode", "nace_code"),
            C("Classification", "classification"),
        ),
        key="EntityNumber",
        required=False,
    ),
    FileSpec(
        "branch",
        m.KboBranch,
        (
            C("Id", "id"),
            C("StartDate", "start_date", "date"),
            C("EnterpriseNumber", "enterprise_number", "enterprise"),
        ),
        key="Id",
        required=False,
    ),
)
META_HEADERS = ["Variable", "Value"]


# --- reading a dump ---------------------------------------------------------------------------


class DumpSource:
    """A dump as a folder or a zip; members are found by base name (some zips nest a folder)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.exists():
            raise KboImportError(f"{self.path}: no such file or folder")
        self._zip = None
        if self.path.is_dir():
            self._members = {p.name.lower(): p for p in self.path.iterdir() if p.is_file()}
        elif zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            self._members = {
                Path(i.filename).name.lower(): i for i in self._zip.infolist() if not i.is_dir()
            }
        else:
            raise KboImportError(f"{self.path}: neither a folder nor a zip file")

    def has(self, filename: str) -> bool:
        return filename.lower() in self._members

    def size(self, filename: str) -> int:
        member = self._members[filename.lower()]
        return member.file_size if self._zip else member.stat().st_size

    def open(self, filename: str):
        member = self._members[filename.lower()]
        return self._zip.open(member) if self._zip else open(member, "rb")  # noqa: SIM115

    def close(self):
        if self._zip:
            self._zip.close()


def read_header(fh, filename: str, expected: list[str]) -> int:
    """Check the first line against the cookbook's header; return its length in bytes."""
    raw = fh.readline()
    text = raw.decode("utf-8-sig").rstrip("\r\n")
    found = next(csv.reader([text]), [])
    for header in expected:
        if header not in found:
            raise KboImportError(
                f"{filename}: column {header!r} is missing (the header is {','.join(found) or 'empty'})"
            )
    for header in found:
        if header not in expected:
            raise KboImportError(f"{filename}: unexpected column {header!r}")
    if found != expected:
        raise KboImportError(
            f"{filename}: columns in the wrong order, expected {','.join(expected)}"
        )
    return len(raw)


def read_meta(source: DumpSource) -> dict[str, str]:
    if not source.has("meta.csv"):
        raise KboImportError(
            f"{source.path}: meta.csv is missing, cannot tell a full dump from an update"
        )
    with source.open("meta.csv") as fh:
        read_header(fh, "meta.csv", META_HEADERS)
        rows = csv.reader(io.TextIOWrapper(fh, encoding="utf-8", newline=""))
        meta = {r[0]: r[1] for r in rows if len(r) >= 2}
    kind = meta.get("ExtractType", "").strip().lower()
    if kind not in ("full", "update"):
        raise KboImportError(f"meta.csv: ExtractType must be 'full' or 'update', not {kind!r}")
    meta["ExtractType"] = kind
    return meta


def parse_date(value: str) -> dt.date | None:
    """KBO dates are dd-mm-yyyy; None for an empty value, ValueError when malformed."""
    if not value:
        return None
    if not DATE_RE.match(value):
        raise ValueError(value)
    return dt.date(int(value[6:]), int(value[3:5]), int(value[:2]))


def is_enterprise_number(value: str) -> bool:
    return enterprise_number.is_canonical(value)


def number_ok(kind: str, value: str) -> bool:
    if kind == "enterprise":
        return is_enterprise_number(value)
    if kind == "establishment":
        return bool(ESTABLISHMENT_RE.match(value))
    return is_enterprise_number(value) or bool(ESTABLISHMENT_RE.match(value))


NUMBER_LABEL = {
    "enterprise": "enterprise number",
    "establishment": "establishment number",
    "entity": "enterprise or establishment number",
}


@dataclass
class Plan:
    kind: str
    meta: dict
    # (filename, spec, role) in the order they are read; role: full | delete | insert
    files: list[tuple[str, FileSpec, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def make_plan(source: DumpSource) -> Plan:
    meta = read_meta(source)
    plan = Plan(kind=meta["ExtractType"], meta=meta)
    if not source.has(CODE.filename):
        raise KboImportError(f"{source.path}: {CODE.filename} is missing")
    plan.files.append((CODE.filename, CODE, "full"))
    if plan.kind == "full":
        for spec in SPECS:
            if source.has(spec.filename):
                plan.files.append((spec.filename, spec, "full"))
            elif spec.required:
                raise KboImportError(
                    f"{source.path}: {spec.filename} is missing from the full dump"
                )
            else:
                plan.skipped.append(spec.filename)
    else:
        for role in ("delete", "insert"):
            for spec in SPECS:
                name = f"{spec.name}_{role}.csv"
                if source.has(name):
                    plan.files.append((name, spec, role))
    # Every header is checked before a single row is written.
    for filename, spec, role in plan.files:
        with source.open(filename) as fh:
            read_header(fh, filename, [spec.key] if role == "delete" else spec.headers)
    return plan


@contextlib.contextmanager
def progress_bar(filename: str, total: int, enabled: bool) -> Iterator[tqdm]:
    bar = tqdm(
        total=total,
        desc=f"{filename:<28}",
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        disable=not enabled,
        leave=True,
    )
    try:
        yield bar
    finally:
        bar.close()


# --- PostgreSQL: COPY, then swap (full) or merge (update) -------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Shapes of the screened fields, byte by byte: D digit, X "2"-"8", F "0"/"1", other bytes literal.
_SHAPES = {
    "enterprise": b'"FDDD.DDD.DDD"',
    "establishment": b'"X.DDD.DDD.DDD"',
    "date": b"DD-DD-DDDD",
}
_POW = 10 ** np.arange(7, -1, -1, dtype=np.int64)
_BODY = np.array([0, 1, 2, 3, 5, 6, 7, 9])  # the eight digits of 0403.170.7|01 after the quote


def _shape_ok(arr, at, shape: bytes):
    """Per position in `at`: do the bytes from there on have `shape`? (vectorised)"""
    ok = np.ones(len(at), dtype=bool)
    for i, ch in enumerate(shape):
        b = arr[at + i]
        if ch == ord("D"):
            ok &= (b >= 48) & (b <= 57)
        elif ch == ord("X"):
            ok &= (b >= 50) & (b <= 56)
        elif ch == ord("F"):
            ok &= (b == 48) | (b == 49)
        else:
            ok &= b == ch
    return ok


def _checksum_ok(arr, at):
    """mod-97 check of the enterprise numbers whose first digit is at `at`."""
    if not len(at):
        return True
    body = (arr[at[:, None] + _BODY].astype(np.int64) - 48) @ _POW
    check = (arr[at + 10].astype(np.int64) - 48) * 10 + arr[at + 11] - 48
    return bool(np.all(((body + check) % 97 == 0) & (check >= 1) & (check <= 97)))


class FastCheck:
    """Screens the bytes on their way to COPY without parsing rows in Python: numpy looks at
    every line of a chunk at once and checks the number column that starts a line, the
    enterprise number or date that ends it (their mod-97 digits and dd-mm-yyyy shape), which is
    where the cookbook's files carry them. Quoting and the number of columns are PostgreSQL's
    business (COPY rejects a broken line, with its number). A chunk the screen cannot vouch for
    sends the whole file through the exact csv-based validator (`_rows`), which names the line
    or clears the file."""

    def __init__(self, columns):
        kinds = [c.kind for c in columns]
        self.first = kinds[0] if kinds[0] in NUMBER_LABEL else None
        self.last_number = kinds[-1] == "enterprise" and len(kinds) > 1
        tail = kinds[:-1] if self.last_number else kinds
        self.date_at_end = len(tail) > 1 and tail[-1] == "date"
        screened = {0} if self.first else set()
        if self.last_number:
            screened.add(len(kinds) - 1)
        if self.date_at_end:
            screened.add(len(tail) - 1)
        # A number or date column elsewhere: only the exact validator can check it.
        self.exact_only = any(k != "text" and i not in screened for i, k in enumerate(kinds))

    def suspicious(self, chunk: bytes) -> bool:
        """`chunk` holds whole lines and ends with a newline."""
        if not chunk:
            return False
        if self.exact_only:
            return True
        arr = np.frombuffer(chunk + b"\0" * 32, dtype=np.uint8)
        newlines = np.flatnonzero(arr[: len(chunk)] == 10)
        starts = np.concatenate(([0], newlines[:-1] + 1))
        ends = newlines - (arr[np.maximum(newlines - 1, 0)] == 13)
        if np.any(ends - starts < 3):
            return True  # empty or truncated lines
        pad = 32
        starts_safe = np.minimum(starts, len(chunk) + pad - 16)
        if self.first:
            ent = _shape_ok(arr, starts_safe, _SHAPES["enterprise"]) & (arr[starts_safe + 14] == 44)
            if self.first == "enterprise":
                ok = ent
            else:
                est = _shape_ok(arr, starts_safe, _SHAPES["establishment"]) & (
                    arr[starts_safe + 15] == 44
                )
                ok = ent | est if self.first == "entity" else est
            if not ok.all() or not _checksum_ok(arr, starts_safe[ent] + 1):
                return True
        end = ends
        if self.last_number:
            at = np.maximum(end - 14, 0)
            if not (
                _shape_ok(arr, at, _SHAPES["enterprise"]) & (arr[np.maximum(at - 1, 0)] == 44)
            ).all():
                return True
            if not _checksum_ok(arr, at + 1):
                return True
            end = at - 1  # the comma before the number
        if self.date_at_end:
            empty = arr[np.maximum(end - 1, 0)] == 44
            at = np.maximum(end - 10, 0)
            dated = _shape_ok(arr, at, _SHAPES["date"]) & (arr[np.maximum(at - 1, 0)] == 44)
            if not (empty | dated).all():
                return True
        return False


class _PgCopier:
    def __init__(
        self, raw, source: DumpSource, progress: bool, stop: threading.Event | None = None
    ):
        self.raw = raw
        self.source = source
        self.progress = progress
        self.stop = stop

    def copy(self, table: str, filename: str, spec: FileSpec, columns, freeze: bool = False) -> int:
        import psycopg

        cols = ", ".join(_q(c.field) for c in columns)
        text = ", ".join(_q(c.field) for c in columns if c.kind != "date")
        # FORCE_NOT_NULL: an empty text value is stored as '' (as on SQLite), dates stay NULL.
        options = f"FORMAT csv, FORCE_NOT_NULL ({text})" + (", FREEZE" if freeze else "")
        sql = f"COPY {_q(table)} ({cols}) FROM STDIN ({options})"
        check = FastCheck(columns)
        verified = False
        size = self.source.size(filename)
        with self.source.open(filename) as fh, progress_bar(filename, size, self.progress) as bar:
            bar.update(read_header(fh, filename, [c.header for c in columns]))
            try:
                with self.raw.copy(sql) as cp:
                    rest = b""
                    while True:
                        data = fh.read(CHUNK)
                        chunk = rest + data
                        if data:
                            cut = chunk.rfind(b"\n") + 1
                            chunk, rest = chunk[:cut], chunk[cut:]
                        elif chunk and not chunk.endswith(b"\n"):
                            chunk += b"\n"
                        if not verified and check.suspicious(chunk):
                            # Raises with file and line when the file is really malformed.
                            for _row in _rows(self.source, filename, columns, False):
                                pass
                            verified = True
                        if self.stop is not None and self.stop.is_set():
                            raise KboImportError("cancelled")
                        if chunk:
                            cp.write(chunk)
                            bar.update(len(chunk))
                        if not data:
                            break
            except psycopg.Error as exc:
                raise self.explain(exc, filename, spec) from None
        return self.raw.rowcount

    def explain(self, exc, filename: str, spec: FileSpec) -> KboImportError:
        """Turn PostgreSQL's COPY error (its CONTEXT names the line) into the import's words."""
        context = exc.diag.context or ""
        primary = exc.diag.message_primary or str(exc)
        found = re.search(r"line (\d+)(?:, column (\w+))?", context)
        # COPY counts lines from the first data row; the file has the header above it.
        where = f"{filename}, line {int(found.group(1)) + 1}" if found else filename
        column = spec.by_field(found.group(2)) if found and found.group(2) else None
        if column is not None and column.kind == "date":
            value = re.search(r': "(.*)"$', context)
            shown = value.group(1) if value else ""
            return KboImportError(
                f"{where}: malformed date {shown!r} in column {column.header} (expected dd-mm-yyyy)"
            )
        if column is not None:
            return KboImportError(f"{where}: column {column.header}: {primary}")
        return KboImportError(f"{where}: {primary}")


def duplicate_error(source: DumpSource, filename: str, spec: FileSpec) -> KboImportError:
    """Find the first repeated key of a file (error path only: the set of keys may be large)."""
    seen = set()
    with source.open(filename) as fh:
        reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8-sig", newline=""))
        next(reader, None)
        i = spec.headers.index(spec.key)
        for row in reader:
            if len(row) > i:
                if row[i] in seen:
                    return KboImportError(
                        f"{filename}, line {reader.line_num}: {spec.key} {row[i]!r} occurs twice"
                    )
                seen.add(row[i])
    return KboImportError(f"{filename}: a {spec.key} occurs twice")


def _pg_import(plan: Plan, source: DumpSource, progress: bool, overlap: bool) -> dict[str, int]:
    import psycopg

    rows: dict[str, int] = {}
    with connection.cursor() as wrapper:
        raw = wrapper.cursor
        # One import at a time; a second one waits instead of interleaving its swap.
        raw.execute("SELECT pg_advisory_xact_lock(hashtext('csgrants.kbo_import'))")
        raw.execute("SET LOCAL datestyle = 'ISO, DMY'")
        raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # The index builds already run beside a COPY; parallel workers would only compete with it.
        raw.execute("SET LOCAL max_parallel_maintenance_workers = 0")
        if plan.kind == "full":
            _pg_full(raw, plan, source, progress, rows, psycopg, overlap)
        else:
            _pg_update(raw, _PgCopier(raw, source, progress), plan, source, rows, psycopg)
    return rows


def _staging_connection():
    import psycopg

    params = {
        k: v
        for k, v in connection.get_connection_params().items()
        if k not in ("cursor_factory", "context", "prepare_threshold")
    }
    conn = psycopg.connect(**params, autocommit=True)
    conn.execute("SET datestyle = 'ISO, DMY'")
    return conn


def _staging_table(spec: FileSpec) -> str:
    return f"{spec.table}__new"


def drop_staging_tables() -> None:
    """After a failed full import: the staging tables are committed, so they are dropped here
    (the next import would drop them anyway)."""
    try:
        with _staging_connection() as conn:
            conn.execute("SET lock_timeout = '5s'")
            for spec in (CODE, *SPECS):
                conn.execute(f"DROP TABLE IF EXISTS {_q(_staging_table(spec))}")
    except Exception:  # noqa: S110 - cleanup is best effort; the import error is what matters
        pass


def _pg_full(
    raw, plan: Plan, source: DumpSource, progress: bool, rows: dict, psycopg, overlap: bool
) -> None:
    """Each file is copied into a fresh staging table shaped like its register table, on a
    second connection and committed as it goes, while this connection (the import's one
    transaction) builds the indexes of the table copied before: index builds and COPY overlap.
    Then, still in that transaction, the staging tables replace the register tables. Readers
    keep the old tables until the commit; a failure rolls back and leaves them untouched.

    Called inside a transaction the caller opened (tests do), the second connection could not
    see what that transaction changed, so everything then runs on the one connection, in turn.
    """
    stop = threading.Event()
    stage = _staging_connection() if overlap else None
    copier = _PgCopier(stage.cursor() if stage else raw, source, progress, stop)

    def load(filename: str, spec: FileSpec) -> int:
        if stop.is_set():
            raise KboImportError("cancelled")
        new = _staging_table(spec)
        t = time.monotonic()
        # On the staging connection the table is created and filled in one transaction, so the
        # rows can be written frozen: the index builds (another transaction) and later readers
        # then need no commit-status lookups, and no hint-bit writes dirty every page again.
        with stage.transaction() if stage else contextlib.nullcontext():
            copier.raw.execute(f"DROP TABLE IF EXISTS {_q(new)}")
            copier.raw.execute(f"CREATE TABLE {_q(new)} (LIKE {_q(spec.table)} INCLUDING DEFAULTS)")
            count = copier.copy(new, filename, spec, spec.columns, freeze=stage is not None)
        PHASES.append((f"copy {filename}", time.monotonic() - t))
        return count

    renames = []
    if not overlap:
        for n, (filename, spec, _role) in enumerate(plan.files):
            rows[filename] = load(filename, spec)
            renames += _pg_build_indexes(raw, n, filename, spec, source, psycopg)
    else:
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                loads = [(f, spec, pool.submit(load, f, spec)) for f, spec, _role in plan.files]
                try:
                    for n, (filename, spec, future) in enumerate(loads):
                        rows[filename] = future.result()
                        renames += _pg_build_indexes(raw, n, filename, spec, source, psycopg)
                except BaseException:
                    stop.set()
                    for *_, future in loads:
                        future.cancel()
                    raise
        finally:
            stop.set()
            stage.close()
    t = time.monotonic()
    for _filename, spec, _role in plan.files:
        raw.execute(f"DROP TABLE {_q(spec.table)}")
        raw.execute(f"ALTER TABLE {_q(_staging_table(spec))} RENAME TO {_q(spec.table)}")
    for spec, name, temp, is_pkey in renames:
        if is_pkey:
            raw.execute(
                f"ALTER TABLE {_q(spec.table)} ADD CONSTRAINT {_q(name)} PRIMARY KEY USING INDEX {_q(temp)}"
            )
        else:
            raw.execute(f"ALTER INDEX {_q(temp)} RENAME TO {_q(name)}")
    PHASES.append(("swap", time.monotonic() - t))
    # No ANALYZE here: autovacuum analyses the new tables shortly after the commit, and the
    # lookups are single-key index scans that do not depend on statistics.


def _pg_build_indexes(
    raw, n: int, filename: str, spec: FileSpec, source: DumpSource, psycopg
) -> list:
    """Give the staging table the indexes the register table has (from the catalogue, so they
    follow the migrations), under temporary names."""
    raw.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
        [spec.table],
    )
    pkey = (raw.fetchone() or [None])[0]
    raw.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
        [spec.table],
    )
    renames = []
    for i, (name, definition) in enumerate(raw.fetchall()):
        temp = f"kbotmp_{n}_{i}"
        sql = re.sub(
            r"^(CREATE (?:UNIQUE )?INDEX )\S+ ON (?:ONLY )?(?:\S+\.)?\S+ ",
            lambda mt, t=temp: f"{mt.group(1)}{_q(t)} ON {_q(_staging_table(spec))} ",
            definition,
        )
        t = time.monotonic()
        try:
            raw.execute(sql)
        except psycopg.errors.UniqueViolation:
            raise duplicate_error(source, filename, spec) from None
        PHASES.append((f"index {name}", time.monotonic() - t))
        renames.append((spec, name, temp, name == pkey))
    return renames


def _pg_update(raw, copier: _PgCopier, plan: Plan, source: DumpSource, rows: dict, psycopg) -> None:
    staged = []
    for filename, spec, role in plan.files:
        temp = f"kbo_stage_{spec.name}_{role}"
        columns = (spec.column(spec.key),) if role == "delete" else spec.columns
        raw.execute(f"DROP TABLE IF EXISTS {_q(temp)}")
        select = ", ".join(_q(c.field) for c in columns)
        raw.execute(
            f"CREATE TEMP TABLE {_q(temp)} AS SELECT {select} FROM {_q(spec.table)} WITH NO DATA"  # noqa: S608 (identifiers from model metadata)
        )
        rows[filename] = copier.copy(temp, filename, spec, columns)
        staged.append((spec, role, temp, filename))
    # Deletes first: the keys of the _delete files and, so that applying the same update twice
    # changes nothing, the keys of the _insert files (they carry all current rows of an entity).
    for spec, _role, temp, _filename in staged:
        if spec is CODE:
            raw.execute(f"DELETE FROM {_q(spec.table)}")  # noqa: S608 (identifiers from model metadata)
            continue
        key = _q(spec.column(spec.key).field)
        raw.execute(f"DELETE FROM {_q(spec.table)} WHERE {key} IN (SELECT {key} FROM {_q(temp)})")  # noqa: S608 (identifiers from model metadata)
    for spec, role, temp, filename in staged:
        if role == "delete":
            continue
        cols = ", ".join(_q(c.field) for c in spec.columns)
        try:
            raw.execute(f"INSERT INTO {_q(spec.table)} ({cols}) SELECT {cols} FROM {_q(temp)}")  # noqa: S608 (identifiers from model metadata)
        except psycopg.errors.UniqueViolation:
            raise duplicate_error(source, filename, spec) from None
    for _spec, _role, temp, _filename in staged:
        raw.execute(f"DROP TABLE {_q(temp)}")


# --- any database: parse, validate, batched inserts --------------------------------------------


def _rows(source: DumpSource, filename: str, columns, progress: bool) -> Iterator[list]:
    """Parsed and validated rows of one file, streamed."""
    with (
        source.open(filename) as fh,
        progress_bar(filename, source.size(filename), progress) as bar,
    ):
        text = io.TextIOWrapper(_Counting(fh, bar), encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        next(reader, None)  # the header, checked by make_plan
        width = len(columns)
        for row in reader:
            line = reader.line_num
            if len(row) != width:
                raise KboImportError(
                    f"{filename}, line {line}: {len(row)} values where {width} were expected"
                )
            out = []
            for c, value in zip(columns, row, strict=True):
                if c.kind == "date":
                    try:
                        value = parse_date(value)
                    except ValueError:
                        raise KboImportError(
                            f"{filename}, line {line}: malformed date {value!r} in column {c.header} "
                            "(expected dd-mm-yyyy)"
                        )
                elif c.kind in NUMBER_LABEL and not number_ok(c.kind, value):
                    raise KboImportError(
                        f"{filename}, line {line}: malformed {NUMBER_LABEL[c.kind]} {value!r} in column {c.header}"
                    )
                out.append(value)
            yield out


class _Counting(io.RawIOBase):
    """Feeds the progress bar with the bytes the csv reader consumes."""

    def __init__(self, fh, bar):
        self.fh = fh
        self.bar = bar

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.fh.read(len(buffer))
        buffer[: len(data)] = data
        self.bar.update(len(data))
        return len(data)


def _batches(iterable, size=BATCH):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _generic_import(plan: Plan, source: DumpSource, progress: bool) -> dict[str, int]:
    rows: dict[str, int] = {}
    ops = connection.ops
    with connection.cursor() as cur:
        for filename, spec, role in plan.files:
            table = ops.quote_name(spec.table)
            if role == "delete":
                key = spec.column(spec.key)
                sql = f"DELETE FROM {table} WHERE {ops.quote_name(key.field)} = %s"  # noqa: S608 (identifiers from model metadata)
                n = 0
                for batch in _batches(_rows(source, filename, (key,), progress)):
                    cur.executemany(sql, batch)
                    n += len(batch)
                rows[filename] = n
                continue
            if role == "full" or spec is CODE:
                cur.execute(f"DELETE FROM {table}")  # noqa: S608 (identifiers from model metadata)
            cols = ", ".join(ops.quote_name(c.field) for c in spec.columns)
            marks = ", ".join(["%s"] * len(spec.columns))
            insert = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 (identifiers from model metadata)
            key_index = spec.headers.index(spec.key)
            delete = f"DELETE FROM {table} WHERE {ops.quote_name(spec.column(spec.key).field)} = %s"  # noqa: S608 (identifiers from model metadata)
            cleared: set[str] = set()
            n = 0
            for batch in _batches(_rows(source, filename, spec.columns, progress)):
                if role == "insert" and spec is not CODE:
                    # The _insert file holds all current rows of each entity it names.
                    fresh = {r[key_index] for r in batch} - cleared
                    cur.executemany(delete, [(k,) for k in sorted(fresh)])
                    cleared |= fresh
                try:
                    cur.executemany(insert, batch)
                except IntegrityError:
                    raise duplicate_error(source, filename, spec) from None
                n += len(batch)
            rows[filename] = n
    return rows


# --- entry point --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    record: m.KboImport
    rows: dict[str, int]
    skipped: list[str]
    seconds: float
    phases: list[tuple[str, float]] = field(default_factory=list)


def run_import(path: str | Path, *, progress: bool = False, on_recorded=None) -> ImportResult:
    PHASES.clear()
    started = timezone.now()
    t0 = time.monotonic()
    source = DumpSource(path)
    # Overlapping COPY and index builds needs a second connection, hence a transaction of our own.
    overlap = not connection.in_atomic_block
    try:
        plan = make_plan(source)
        if plan.kind == "update":
            plan.files = _update_order(plan.files)
        with _cleanup_on_failure(plan, overlap), transaction.atomic():
            if connection.vendor == "postgresql":
                rows = _pg_import(plan, source, progress, overlap)
            else:
                rows = _generic_import(plan, source, progress)
            meta = plan.meta
            try:
                snapshot = parse_date(meta.get("SnapshotDate", ""))
            except ValueError:
                snapshot = None
            record = m.KboImport.objects.create(
                kind=plan.kind,
                extract_number=meta.get("ExtractNumber", "")[:10],
                snapshot_date=snapshot,
                extract_timestamp=meta.get("ExtractTimestamp", "")[:30],
                version=meta.get("Version", "")[:20],
                source=str(path)[:500],
                rows=rows,
                started_at=started,
                finished_at=timezone.now(),
            )
            if on_recorded is not None:
                on_recorded(record)
    finally:
        source.close()
    return ImportResult(
        record=record,
        rows=rows,
        skipped=plan.skipped,
        seconds=time.monotonic() - t0,
        phases=list(PHASES),
    )


@contextlib.contextmanager
def _cleanup_on_failure(plan: Plan, overlap: bool):
    try:
        yield
    except BaseException:
        if connection.vendor == "postgresql" and plan.kind == "full" and overlap:
            drop_staging_tables()
        raise


def _update_order(files):
    """code.csv, then every _delete file, then every _insert file (cookbook 1.5.2)."""
    order = {"full": 0, "delete": 1, "insert": 2}
    return sorted(files, key=lambda f: order[f[2]])
