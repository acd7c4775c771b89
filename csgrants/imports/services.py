"""Import of historical CSV files (contract: shared/contracts/history-import.md).

A folder holds any of allocations.csv, applications.csv and amendments.csv. Rows become ordinary
applications, amendments, decisions (with reason codes), status history and budget ledger lines,
flagged `imported=True`, so every report and screen treats them like files made in csgrants.

Design, because the contract asks for a million rows at 5,000 rows/s in under 500 MB:
- the files are streamed and handled in chunks; per chunk a handful of queries look up what is
  already stored (references, enterprises, amendments), never one query per row;
- everything runs in one transaction: the first bad row does not stop the run (every error is
  reported), but at the end any error rolls the whole import back: all or nothing;
- valid rows keep being written after an error so that duplicates further down are still found
  against what came before; the rollback throws that work away;
- references are the key: a row already stored with the same values is skipped (idempotent), a
  row stored with other values is an error, never an overwrite;
- historical amounts are stored as given, not recomputed from today's policy, but only when
  plausible (catalogue.bounds, issue 20): dates within the scheme's life, a cost within the
  range of the policy in force on the submission date (a file rejected for its cost may lie
  outside it, up to twice the maximum), a subsidy never above that policy's rate x the cost.

Ledger semantics (see budgets/selectors.py): an approved file (also completed, closed) gets a
`commit` line of its subsidy dated at the decision; a closed (paid) file also a `realise` line of
the same amount. The history format has no payment date, so the payment is dated at the
decision too. An approved amendment commits its extra subsidy at its decision date (and is
realised with its file when that file is closed). Allocations get their `allocate` line.
"""

from __future__ import annotations

import csv
import itertools
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone, translation

from csgrants.applications.models import Amendment, Application, Decision, Status, StatusChange
from csgrants.applications.statuses import GRANTED_STATUSES
from csgrants.applications.workflow import path as workflow_path
from csgrants.budgets.models import Allocation, LedgerEntry, ProviderBudget
from csgrants.catalogue import bounds
from csgrants.catalogue.models import (
    EnterpriseKind,
    Package,
    PolicyVersion,
    ReasonCode,
    ServiceProvider,
)
from csgrants.catalogue.pricing import price_under
from csgrants.catalogue.selectors import PolicySchedule, package_alias_map
from csgrants.core import clock
from csgrants.core.audit import audit_record
from csgrants.core.calendar import default_calendar
from csgrants.core.enterprise_number import InvalidEnterpriseNumber, normalize
from csgrants.core.errors import NotFound, ValidationFailed
from csgrants.core.money import AmountError, parse_money
from csgrants.core.postal import is_valid_postal_code, province_for, region_for_province
from csgrants.enterprises.models import Enterprise
from csgrants.imports.bulk import (
    BulkWriter,
    among,
    foreign_keys_checked_once,
    indexes_built_once,
)

CHUNK = 5000
# From this many data rows (applications + amendments) on, PostgreSQL checks the foreign keys of
# the imported rows once at the end instead of row by row, and builds the plain indexes of the
# big tables once at the end instead of updating them row by row (bulk.py: twice as fast, but
# the tables stay locked for other sessions until the import commits).
BULK_CHECK_ROWS = 50_000
ACTOR_LABEL = "history import"
DEFAULT_TERM = 10  # working days, as filing's due date before any policy version (services)

ALLOCATION_COLUMNS = {
    "service_provider": True,
    "allocated_on": True,
    "amount_eur": True,
    "note": False,
}
APPLICATION_COLUMNS = {
    "reference": True,
    "service_provider": True,
    "enterprise_number": True,
    "enterprise_name": True,
    "enterprise_kind": True,
    "postal_code": True,
    "package": True,
    "extensions": False,
    "cost_eur": True,
    "subsidy_eur": False,
    "submitted_on": True,
    "status": True,
    "decided_on": False,
    "rejection_reason": False,
}
AMENDMENT_COLUMNS = {
    "reference": True,
    "kind": True,
    "package": True,
    "extra_cost_eur": True,
    "extra_subsidy_eur": False,
    "requested_on": True,
    "status": True,
    "decided_on": False,
}
APP_STATUSES = ("submitted", "approved", "rejected", "withdrawn", "completed", "closed")
AMENDMENT_STATUSES = ("submitted", "approved", "rejected")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# The tables the import writes in bulk.
BULK_MODELS = (
    Enterprise,
    Application,
    Application.extensions.through,
    StatusChange,
    Decision,
    Decision.reasons.through,
    Amendment,
    Allocation,
    LedgerEntry,
)

# The big tables whose plain indexes a large import builds once at the end (bulk.indexes_built_once):
# the import itself never looks these up by anything but their unique keys.
INDEX_REBUILT_MODELS = (Application, StatusChange, LedgerEntry)


class ImportFailed(ValidationFailed):
    """The import found errors; nothing was imported. `lines` are `FILE:LINE: column: message`."""

    code = "IMPORT_FAILED"

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__(f"{len(lines)} error(s); nothing was imported")


@dataclass
class FileCount:
    rows: int = 0
    created: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    folder: str
    files: dict[str, FileCount] = field(default_factory=dict)
    seconds: float = 0.0
    # New shared enterprise records (the run's audit event says how many; existing records are
    # never changed by the import).
    enterprises_created: int = 0

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.files.values())

    def as_dict(self) -> dict:
        return {
            "folder": self.folder,
            "files": {
                n: {"rows": c.rows, "created": c.created, "unchanged": c.unchanged}
                for n, c in self.files.items()
            },
            "enterprises_created": self.enterprises_created,
            "seconds": round(self.seconds, 2),
        }

    def __str__(self) -> str:
        parts = [
            f"{name}: {c.created} imported, {c.unchanged} already present"
            for name, c in self.files.items()
        ]
        rate = f", {self.rows / self.seconds:,.0f} rows/s" if self.seconds > 0 else ""
        return "; ".join(parts) + f" ({self.seconds:.1f} s{rate})"


class _Run:
    """What the audit event is about: one run of the import over a folder."""

    def __init__(self, folder: str):
        self.reference = folder[-64:]


# --- parsing helpers ------------------------------------------------------------------------


class _Errors:
    def __init__(self):
        self.lines: list[str] = []

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.lines.append(f"{file}:{line}: {column}: {message}")

    def parsed(self, file: str, line: int, column: str, parse, value, **options):
        """`parse(value, **options)`; None, with the parser's message recorded for the cell,
        when it raises ValueError."""
        try:
            return parse(value, **options)
        except ValueError as exc:
            self.add(file, line, column, str(exc))
            return None


class _Parser:
    """Cell parsers with small caches: the same dates and amounts repeat across a million rows."""

    def __init__(self):
        self._dates: dict[str, date] = {}
        self.today = clock.today()
        self._amounts: dict[str, Decimal] = {}

    def date(self, value: str) -> date:
        d = self._dates.get(value)
        if d is None:
            if not _DATE.match(value):
                raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
            try:
                d = date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
            # Within the scheme's life (catalogue.bounds): a file dated 1901 or 2999 is a typo.
            with translation.override("en"):
                refusal = bounds.date_refusal(d, today=self.today)
            if refusal is not None:
                raise ValueError(refusal)
            self._dates[value] = d
        return d

    def money(self, value: str) -> Decimal:
        """core.money's one parser, in the machine spelling the contract prescribes (15704.40),
        once per distinct spelling (a Decimal is immutable: the same one is shared)."""
        amount = self._amounts.get(value)
        if amount is None:
            try:
                amount = parse_money(value)
            except AmountError as exc:
                with translation.override("en"):  # the import reports in English, as the contract
                    raise ValueError(f"{value!r}: {exc.message}") from exc
            self._amounts[value] = amount
        return amount


def _read(path: Path, columns: dict[str, bool], errors: _Errors):
    """Yield (line, {column: value}) for each data row; header problems go to `errors` and stop
    the file (nothing sensible can be read without the columns)."""
    name = path.name
    with path.open(encoding="utf-8-sig", newline="") as fh:  # utf-8-sig: a BOM is accepted
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            errors.add(name, 1, "-", "the file is empty; a header row is required")
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            errors.add(name, 1, "-", f"cannot read the header: {exc}")
            return
        header = [h.strip() for h in header]
        bad = False
        seen = set()
        for h in header:
            if h in seen:
                errors.add(name, 1, h, "column appears twice")
                bad = True
            seen.add(h)
            if h not in columns:
                errors.add(name, 1, h or "-", f"unknown column (expected: {', '.join(columns)})")
                bad = True
        for col, required in columns.items():
            if required and col not in seen:
                errors.add(name, 1, col, "required column is missing")
                bad = True
        if bad:
            return
        width = len(header)
        try:
            for row in reader:
                line = reader.line_num
                if not row or all(not c.strip() for c in row):
                    continue
                if len(row) != width:
                    errors.add(name, line, "-", f"expected {width} fields, found {len(row)}")
                    continue
                yield line, {h: c.strip() for h, c in zip(header, row, strict=True)}
        except (csv.Error, UnicodeDecodeError) as exc:
            errors.add(name, reader.line_num + 1, "-", f"cannot read the row: {exc}")


def _count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            n += block.count(b"\n")
    return max(0, n - 1)


# --- the import -----------------------------------------------------------------------------


@dataclass
class _App:
    line: int
    reference: str
    provider_id: int
    number: str
    name: str
    kind: str
    postal_code: str
    package_id: int
    extension_ids: tuple[int, ...]
    cost: Decimal
    subsidy: Decimal | None
    submitted_on: date
    status: str
    decided_on: date | None
    reason_ids: tuple[int, ...]


class _Importer:
    def __init__(self, folder: Path, actor, progress: bool):
        self.folder = folder
        self.actor = actor
        self.progress = progress
        self.errors = _Errors()
        self.parse = _Parser()
        self.writer = BulkWriter()
        self.summary = ImportSummary(folder=str(folder))
        self.now = timezone.now()
        self.providers = {p.code: p.pk for p in ServiceProvider.objects.all()}
        self.provider_codes = {v: k for k, v in self.providers.items()}
        self.budget_rows = set(ProviderBudget.objects.values_list("provider_id", flat=True))
        self.package_ids = {p.code: (p.pk, p.is_extension) for p in Package.objects.all()}
        self.aliases = package_alias_map()
        self.package_codes = {pk: code for code, (pk, _e) in self.package_ids.items()}
        self.kinds = set(EnterpriseKind.objects.values_list("code", flat=True))
        self.reasons = dict(ReasonCode.objects.values_list("code", "pk"))
        self.reason_codes = {pk: code for code, pk in self.reasons.items()}
        # The domain's own functions, memoised per run: the same dates repeat across a
        # million rows.
        self.calendar = default_calendar()
        self.schedule = PolicySchedule()
        self._policies: dict[date, PolicyVersion | None] = {}
        self._rates: dict[tuple[int, str], Decimal | None] = {}
        self._due: dict[tuple[date, int], date] = {}
        self._working_days: dict[tuple[date, date], int] = {}
        self._refusals: dict[tuple, dict[str, str | None]] = {}
        # The status history of each status the file may hold, as the workflow table allows
        # it from submission on; None when the table has no such way.
        self.paths = {s: workflow_path(Status.SUBMITTED, s) for s in APP_STATUSES}
        self._noon: dict[date, datetime] = {}
        self.failed_refs: set[str] = set()
        self.bar = None

    # -- small helpers

    def noon(self, d: date) -> datetime:
        """History rows need a timestamp; the source only has dates."""
        at = self._noon.get(d)
        if at is None:
            at = self._noon[d] = timezone.make_aware(datetime.combine(d, dtime(12, 0)))
        return at

    def provider_id(self, code: str) -> int:
        pk = self.providers.get(code)
        if pk is None:
            # Contract: a provider code that is not known yet is created with its code as name.
            pk = ServiceProvider.objects.create(code=code, name=code).pk
            self.providers[code] = pk
            self.provider_codes[pk] = code
        if pk not in self.budget_rows:
            ProviderBudget.objects.get_or_create(provider_id=pk)
            self.budget_rows.add(pk)
        return pk

    def package(self, value: str, *, extension: bool) -> int:
        code = self.aliases.get(value.strip().lower())
        if code is None:
            raise ValueError(f"unknown package {value!r}")
        pk, is_ext = self.package_ids[code]
        if is_ext != extension:
            raise ValueError(
                f"{value!r} ({code}) is {'an extension' if is_ext else 'a main'} package"
            )
        return pk

    def policy_for(self, on: date) -> PolicyVersion | None:
        """The policy version in force on `on` (catalogue's rule); None before the first."""
        if on not in self._policies:
            try:
                self._policies[on] = self.schedule.in_force(on)
            except NotFound:
                self._policies[on] = None
        return self._policies[on]

    def rate_for(self, policy: PolicyVersion, kind: str) -> Decimal | None:
        key = (policy.pk, kind)
        if key not in self._rates:
            self._rates[key] = policy.rate_for(kind)
        return self._rates[key]

    def refusals(
        self,
        cost: Decimal,
        subsidy: Decimal | None,
        policy: PolicyVersion | None,
        kind: str,
        rejected_for_cost: bool,
    ) -> dict[str, str | None]:
        """catalogue.bounds' verdicts on a file's cost and subsidy, in English, once per
        distinct combination (a few thousand across a million rows)."""
        key = (cost, subsidy, policy.pk if policy else None, kind, rejected_for_cost)
        found = self._refusals.get(key)
        if found is None:
            with translation.override("en"):
                found = self._refusals[key] = {
                    "cost_eur": bounds.history_cost_refusal(
                        cost, policy, rejected_for_cost=rejected_for_cost
                    ),
                    "subsidy_eur": None
                    if subsidy is None
                    else bounds.subsidy_refusal(
                        subsidy, policy=policy, enterprise_kind=kind, cost=cost
                    ),
                }
        return found

    def working_days_between(self, start: date, end: date) -> int:
        key = (start, end)
        days = self._working_days.get(key)
        if days is None:
            days = self._working_days[key] = self.calendar.working_days_between(start, end)
        return days

    def due_date(self, submitted_on: date, term: int) -> date:
        key = (submitted_on, term)
        due = self._due.get(key)
        if due is None:
            due = self._due[key] = self.calendar.due_date(submitted_on, term)
        return due

    def tick(self, n=1):
        if self.bar is not None:
            self.bar.update(n)

    # -- entry point

    def run(self) -> ImportSummary:
        started = time.monotonic()
        files = {
            n: self.folder / n for n in ("allocations.csv", "applications.csv", "amendments.csv")
        }
        present = {n: p for n, p in files.items() if p.is_file()}
        if not self.folder.is_dir():
            raise ImportFailed([f"{self.folder}:0: -: not a folder"])
        if not present:
            raise ImportFailed(
                [f"{self.folder}:0: -: no allocations.csv, applications.csv or amendments.csv"]
            )
        if "amendments.csv" in present and "applications.csv" not in present:
            raise ImportFailed(["amendments.csv:0: -: applications.csv must be in the same folder"])
        if self.progress:
            from tqdm import tqdm

            total = sum(_count_lines(p) for p in present.values())
            self.bar = tqdm(
                total=total, unit=" rows", file=sys.stderr, desc="import_history", mininterval=0.5
            )
        large = sum(
            _count_lines(present[n]) for n in ("applications.csv", "amendments.csv") if n in present
        ) >= (BULK_CHECK_ROWS)
        try:
            with transaction.atomic():
                if self.writer.postgres:
                    with connection.cursor() as cur:
                        # One long transaction whose result is only known at the end: nothing is
                        # lost by not waiting for the WAL flush of its commit (if the server
                        # crashed at that instant the import is simply not there, as after an
                        # error, and is run again).
                        cur.execute("SET LOCAL synchronous_commit = off")
                        # The tables grow inside this transaction while their statistics stay
                        # what they were before it (an empty table, the first time): PostgreSQL
                        # then takes a chunk's `reference IN (5,000 values)` for most of the
                        # table and scans all of it, for every chunk, which makes the import
                        # quadratic. Every lookup of the load is by a unique key or id.
                        cur.execute("SET LOCAL enable_seqscan = off")
                with (
                    foreign_keys_checked_once(BULK_MODELS, enabled=large),
                    indexes_built_once(INDEX_REBUILT_MODELS, enabled=large),
                ):
                    if "allocations.csv" in present:
                        self.import_allocations(present["allocations.csv"])
                    if "applications.csv" in present:
                        self.import_applications(present["applications.csv"])
                    if "amendments.csv" in present:
                        self.import_amendments(present["amendments.csv"])
                    if self.errors.lines:
                        raise ImportFailed(self.errors.lines)
                    if self.writer.postgres:
                        with connection.cursor() as cur:
                            # Building indexes and checking keys over whole tables: scans.
                            cur.execute("SET LOCAL enable_seqscan = on")
                self.summary.seconds = time.monotonic() - started
                # One audit event per run: an event per imported row would double the volume of
                # a million-row import for no gain (each row is flagged `imported` and its
                # status history says "history import").
                audit_record(
                    actor=self.actor,
                    action="history.import",
                    obj=_Run(str(self.folder)),
                    after=self.summary.as_dict(),
                )
        finally:
            if self.bar is not None:
                self.bar.close()
        self.summary.seconds = time.monotonic() - started
        return self.summary

    # -- allocations.csv

    def import_allocations(self, path: Path) -> None:
        name = path.name
        count = self.summary.files.setdefault(name, FileCount())
        # Allocations have no reference: the same (provider, date, amount, note) is the same
        # allocation; the k-th such row in the file matches the k-th stored one.
        stored: dict[tuple, int] = defaultdict(int)
        for row in Allocation.objects.values_list(
            "provider_id", "allocated_on", "amount_eur", "note"
        ):
            stored[row] += 1
        seen: dict[tuple, int] = defaultdict(int)
        new = []
        for line, row in _read(path, ALLOCATION_COLUMNS, self.errors):
            self.tick()
            count.rows += 1
            ok = True
            if not row["service_provider"]:
                self.errors.add(name, line, "service_provider", "required")
                ok = False
            try:
                on = self.parse.date(row["allocated_on"]) if row["allocated_on"] else None
                if on is None:
                    self.errors.add(name, line, "allocated_on", "required")
                    ok = False
            except ValueError as exc:
                self.errors.add(name, line, "allocated_on", str(exc))
                ok = False
            try:
                amount = self.parse.money(row["amount_eur"]) if row["amount_eur"] else None
                if amount is None:
                    self.errors.add(name, line, "amount_eur", "required")
                    ok = False
                elif amount <= 0:
                    self.errors.add(name, line, "amount_eur", "must be greater than zero")
                    ok = False
            except ValueError as exc:
                self.errors.add(name, line, "amount_eur", str(exc))
                ok = False
            note = row.get("note", "")
            if len(note) > 200:
                self.errors.add(name, line, "note", "at most 200 characters")
                ok = False
            if not ok:
                continue
            pid = self.provider_id(row["service_provider"])
            key = (pid, on, amount, note)
            seen[key] += 1
            if seen[key] <= stored[key]:
                count.unchanged += 1
                continue
            kind = Allocation.Kind.TOP_UP if "top" in note.lower() else Allocation.Kind.INITIAL
            new.append((pid, on, amount, kind, note))
        ids = self.writer.reserve_ids(Allocation, len(new))
        self.writer.insert(
            Allocation,
            ["id", "provider_id", "allocated_on", "amount_eur", "kind", "note", "created_at"],
            [
                (pk, pid, on, amount, kind, note, self.now)
                for pk, (pid, on, amount, kind, note) in zip(ids, new, strict=True)
            ],
        )
        self.writer.insert(
            LedgerEntry,
            [
                "provider_id",
                "kind",
                "amount_eur",
                "entry_date",
                "allocation_id",
                "note",
                "created_at",
            ],
            [
                (pid, "allocate", amount, on, pk, note, self.now)
                for pk, (pid, on, amount, _k, note) in zip(ids, new, strict=True)
            ],
        )
        count.created += len(new)

    # -- applications.csv

    def parse_application(self, name: str, line: int, row: dict) -> _App | None:
        err = self.errors
        before = len(err.lines)

        def need(col):
            if not row.get(col):
                err.add(name, line, col, "required")
                return False
            return True

        reference = row["reference"]
        if need("reference") and len(reference) > 40:
            err.add(name, line, "reference", "at most 40 characters")
        pid = None
        if need("service_provider"):
            if len(row["service_provider"]) > 40:
                err.add(name, line, "service_provider", "at most 40 characters")
            else:
                pid = self.provider_id(row["service_provider"])
        number = None
        if need("enterprise_number"):
            try:
                number = normalize(row["enterprise_number"])
            except InvalidEnterpriseNumber:
                err.add(
                    name,
                    line,
                    "enterprise_number",
                    f"{row['enterprise_number']!r} is not a valid enterprise number (checksum 97)",
                )
        if need("enterprise_name") and len(row["enterprise_name"]) > 320:
            err.add(name, line, "enterprise_name", "at most 320 characters")
        kind = row["enterprise_kind"]
        if need("enterprise_kind") and kind not in self.kinds:
            err.add(
                name,
                line,
                "enterprise_kind",
                f"unknown enterprise kind {kind!r} (known: {', '.join(sorted(self.kinds))})",
            )
        postal = row["postal_code"]
        if need("postal_code") and not is_valid_postal_code(postal):
            err.add(
                name, line, "postal_code", f"{postal!r} is not a Belgian postal code (4 digits)"
            )
        package_id = None
        if need("package"):
            package_id = err.parsed(
                name, line, "package", self.package, row["package"], extension=False
            )
        ext_ids = []
        for code in filter(None, (c.strip() for c in row.get("extensions", "").split(";"))):
            ext_id = err.parsed(name, line, "extensions", self.package, code, extension=True)
            if ext_id is not None:
                ext_ids.append(ext_id)
        cost = subsidy = None
        if need("cost_eur"):
            cost = err.parsed(name, line, "cost_eur", self.parse.money, row["cost_eur"])
        status = row["status"]
        if need("status") and status not in APP_STATUSES:
            err.add(
                name,
                line,
                "status",
                f"unknown status {status!r} (one of {', '.join(APP_STATUSES)})",
            )
        if row.get("subsidy_eur"):
            subsidy = err.parsed(name, line, "subsidy_eur", self.parse.money, row["subsidy_eur"])
            if subsidy is not None and subsidy <= 0 and status in GRANTED_STATUSES:
                err.add(
                    name,
                    line,
                    "subsidy_eur",
                    f"must be greater than zero when the status is {status}",
                )
        elif status in GRANTED_STATUSES:
            err.add(name, line, "subsidy_eur", f"required when the status is {status}")
        if status in APP_STATUSES and self.paths[status] is None:
            err.add(
                name,
                line,
                "status",
                f"the workflow has no way from submitted to {status}",
            )
        submitted = decided = None
        if need("submitted_on"):
            submitted = err.parsed(name, line, "submitted_on", self.parse.date, row["submitted_on"])
        if row.get("decided_on"):
            decided = err.parsed(name, line, "decided_on", self.parse.date, row["decided_on"])
            if decided is not None:
                if status == "submitted":
                    err.add(name, line, "decided_on", "must be empty while the status is submitted")
                elif submitted and decided < submitted:
                    err.add(name, line, "decided_on", "is before submitted_on")
        elif status in APP_STATUSES and status != "submitted":
            err.add(name, line, "decided_on", f"required when the status is {status}")
        reason_ids = []
        codes = [c.strip() for c in row.get("rejection_reason", "").split(";") if c.strip()]
        for code in codes:
            if code in self.reasons:
                reason_ids.append(self.reasons[code])
            else:
                err.add(name, line, "rejection_reason", f"unknown reason code {code!r}")
        if status == "rejected" and not codes:
            err.add(name, line, "rejection_reason", "required when the status is rejected")
        elif codes and status in APP_STATUSES and status != "rejected":
            err.add(
                name, line, "rejection_reason", "only a rejected application has rejection reasons"
            )
        if len(err.lines) > before:
            return None
        policy = self.policy_for(submitted)
        # The policy's bounds (catalogue.bounds), judged as filing judges them. A file rejected
        # for its cost is history with a cost out of range by definition.
        rejected_for_cost = status == "rejected" and bounds.COST_CODE in codes
        refusals = self.refusals(cost, subsidy, policy, kind, rejected_for_cost)
        for column, refusal in refusals.items():
            if refusal is not None:
                err.add(name, line, column, refusal)
        if len(err.lines) > before:
            return None
        if subsidy is None and policy is not None:
            # An empty subsidy is priced as filing prices it (catalogue.pricing), so that an
            # open file can be decided like one filed here.
            subsidy = price_under(policy, enterprise_kind=kind, cost_eur=cost).subsidy_eur
        return _App(
            line=line,
            reference=reference,
            provider_id=pid,
            number=number,
            name=row["enterprise_name"],
            kind=kind,
            postal_code=postal,
            package_id=package_id,
            extension_ids=tuple(sorted(set(ext_ids))),
            cost=cost,
            subsidy=subsidy,
            submitted_on=submitted,
            status=status,
            decided_on=decided,
            reason_ids=tuple(sorted(set(reason_ids))),
        )

    def import_applications(self, path: Path) -> None:
        name = path.name
        count = self.summary.files.setdefault(name, FileCount())
        chunk: list[_App] = []
        for line, row in _read(path, APPLICATION_COLUMNS, self.errors):
            self.tick()
            count.rows += 1
            app = self.parse_application(name, line, row)
            if app is None:
                if row.get("reference"):
                    self.failed_refs.add(row["reference"])
                continue
            chunk.append(app)
            if len(chunk) >= CHUNK:
                self.write_applications(name, chunk, count)
                chunk = []
        self.write_applications(name, chunk, count)

    def _differences(
        self, app: _App, stored: dict, ext: set, reasons: set
    ) -> list[tuple[str, str, str]]:
        withdrawn = stored["status"] == "withdrawn"
        pairs = [
            (
                "service_provider",
                self.provider_codes.get(app.provider_id),
                self.provider_codes.get(stored["provider_id"]),
            ),
            ("enterprise_number", app.number, stored["enterprise__number"]),
            ("enterprise_name", app.name, stored["enterprise_name"]),
            ("enterprise_kind", app.kind, stored["enterprise_kind"]),
            ("postal_code", app.postal_code, stored["postal_code"]),
            ("package", app.package_id, stored["package_id"]),
            ("extensions", app.extension_ids, tuple(sorted(ext))),
            ("cost_eur", app.cost, stored["cost_eur"]),
            ("subsidy_eur", app.subsidy, stored["subsidy_eur"]),
            ("submitted_on", app.submitted_on, stored["submitted_on"]),
            ("status", app.status, stored["status"]),
            (
                "decided_on",
                app.decided_on,
                stored["closed_on"] if withdrawn else stored["decided_on"],
            ),
            ("rejection_reason", app.reason_ids, tuple(sorted(reasons))),
        ]
        codes, codes_r = self.package_codes, self.reason_codes

        def show(col, v):
            if v is None or v == ():
                return "empty"
            if col in ("package",):
                return codes.get(v, str(v))
            if col == "extensions":
                return ";".join(codes.get(x, str(x)) for x in v)
            if col == "rejection_reason":
                return ";".join(codes_r.get(x, str(x)) for x in v)
            return str(v)

        return [(col, show(col, a), show(col, b)) for col, a, b in pairs if a != b]

    def write_applications(self, name: str, chunk: list[_App], count: FileCount) -> None:
        if not chunk:
            return
        # 1. What is already stored under these references (including rows of this run).
        refs = {a.reference for a in chunk}
        stored = {
            s["reference"]: s
            for s in Application.objects.filter(among("reference", refs))
            .order_by()
            .values(
                "id",
                "reference",
                "provider_id",
                "enterprise__number",
                "enterprise_name",
                "enterprise_kind",
                "postal_code",
                "package_id",
                "cost_eur",
                "subsidy_eur",
                "submitted_on",
                "status",
                "decided_on",
                "closed_on",
            )
        }
        ext_stored: dict[int, set] = defaultdict(set)
        reasons_stored: dict[int, set] = defaultdict(set)
        if stored:
            ids = [s["id"] for s in stored.values()]
            for app_id, pkg in Application.extensions.through.objects.filter(
                among("application_id", ids)
            ).values_list("application_id", "package_id"):
                ext_stored[app_id].add(pkg)
            for app_id, rc in Decision.reasons.through.objects.filter(
                among("decision__application_id", ids),
                decision__outcome="rejected",
                decision__amendment__isnull=True,
            ).values_list("decision__application_id", "reasoncode_id"):
                reasons_stored[app_id].add(rc)
        new: list[_App] = []
        in_chunk: dict[str, _App] = {}
        for app in chunk:
            s = stored.get(app.reference)
            earlier = in_chunk.get(app.reference)
            if s is None and earlier is None:
                in_chunk[app.reference] = app
                new.append(app)
                continue
            if s is not None:
                diffs = self._differences(app, s, ext_stored[s["id"]], reasons_stored[s["id"]])
            else:
                diffs = [(c, a, b) for c, a, b in self._differences_between(app, earlier)]
            if diffs:
                for col, mine, theirs in diffs:
                    self.errors.add(
                        name,
                        app.line,
                        col,
                        f"reference {app.reference} is already stored with other values "
                        f"(stored: {theirs}; this row: {mine})",
                    )
                self.failed_refs.add(app.reference)
            else:
                count.unchanged += 1
        if not new:
            return
        # 2. Enterprises: created when new (the last row of the chunk gives the values); an
        # existing record is the register's or the agency's and is left as it is: each file
        # keeps the name, kind and seat of its own row (issue 20).
        latest: dict[str, _App] = {}
        for app in new:
            latest[app.number] = app
        existing = {
            e["number"]: e
            for e in Enterprise.objects.filter(among("number", latest)).values("id", "number")
        }
        enterprise_ids = {n: e["id"] for n, e in existing.items()}
        to_create = [a for n, a in latest.items() if n not in existing]
        self.summary.enterprises_created += len(to_create)
        ids = self.writer.reserve_ids(Enterprise, len(to_create))
        rows = []
        for pk, a in zip(ids, to_create, strict=True):
            province = province_for(a.postal_code) or ""
            rows.append(
                (
                    pk,
                    a.number,
                    a.name,
                    a.kind,
                    a.postal_code,
                    province,
                    region_for_province(province) or "",
                    self.now,
                    self.now,
                )
            )
            enterprise_ids[a.number] = pk
        self.writer.insert(
            Enterprise,
            [
                "id",
                "number",
                "name",
                "kind",
                "postal_code",
                "province",
                "region",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        # 3. Applications and everything that hangs off them.
        app_ids = self.writer.reserve_ids(Application, len(new))
        decided = [a for a in new if a.status in GRANTED_STATUSES or a.status == "rejected"]
        decision_ids = dict(
            zip(
                (id(a) for a in decided),
                self.writer.reserve_ids(Decision, len(decided)),
                strict=True,
            )
        )
        app_rows, ext_rows, history, decisions, reason_rows, ledger = [], [], [], [], [], []
        for pk, a in zip(app_ids, new, strict=True):
            policy = self.policy_for(a.submitted_on)
            policy_id = policy.pk if policy else None
            rate = self.rate_for(policy, a.kind) if policy else None
            term = policy.decision_term_working_days if policy else DEFAULT_TERM
            withdrawn = a.status == "withdrawn"
            is_decided = a.status in GRANTED_STATUSES or a.status == "rejected"
            processing = (
                self.working_days_between(a.submitted_on, a.decided_on) if is_decided else None
            )
            app_rows.append(
                (
                    pk,
                    a.reference,
                    a.provider_id,
                    enterprise_ids[a.number],
                    a.name,
                    a.kind,
                    a.postal_code,
                    province_for(a.postal_code) or "",
                    a.package_id,
                    a.package_id,
                    a.cost,
                    rate,
                    a.subsidy,
                    policy_id,
                    "{}" if self.writer.postgres else {},
                    a.status,
                    a.submitted_on,
                    self.due_date(a.submitted_on, term),
                    None,
                    None if withdrawn else a.decided_on,
                    # Paid (closed): dated at the decision, as its ledger lines (see above).
                    a.decided_on if withdrawn or a.status == Status.CLOSED else None,
                    processing,
                    0,
                    self.now,
                    self.now,
                    True,
                )
            )
            for ext in a.extension_ids:
                ext_rows.append((pk, ext))
            history.append(
                (
                    pk,
                    "",
                    "submitted",
                    ACTOR_LABEL,
                    self.noon(a.submitted_on),
                    a.submitted_on,
                    "imported",
                )
            )
            # The later steps along the workflow table's way to the file's status; the files
            # carry only the decision date, so the steps after the decision are recorded at
            # it and say so.
            steps = self.paths[a.status]
            for i, (frm, to) in enumerate(itertools.pairwise(steps)):
                history.append(
                    (
                        pk,
                        frm,
                        to,
                        ACTOR_LABEL,
                        self.noon(a.decided_on),
                        a.decided_on,
                        "imported"
                        if i == 0
                        else "imported; the date of this step is not in the history",
                    )
                )
            if is_decided:
                did = decision_ids[id(a)]
                outcome = "rejected" if a.status == "rejected" else "approved"
                decisions.append((did, pk, outcome, a.decided_on, False, "imported", self.now))
                for rc in a.reason_ids:
                    reason_rows.append((did, rc))
            if a.status in GRANTED_STATUSES and a.subsidy and a.subsidy > 0:
                ledger.append(
                    (a.provider_id, "commit", a.subsidy, a.decided_on, pk, "imported", self.now)
                )
                if a.status == "closed":
                    ledger.append(
                        (
                            a.provider_id,
                            "realise",
                            a.subsidy,
                            a.decided_on,
                            pk,
                            "imported; paid (payment date not in the history)",
                            self.now,
                        )
                    )
        w = self.writer
        w.insert(
            Application,
            [
                "id",
                "reference",
                "provider_id",
                "enterprise_id",
                "enterprise_name",
                "enterprise_kind",
                "postal_code",
                "province",
                "package_id",
                "current_package_id",
                "cost_eur",
                "rate_pct",
                "subsidy_eur",
                "policy_id",
                "declaration",
                "status",
                "submitted_on",
                "decision_due_on",
                "paused_since",
                "decided_on",
                "closed_on",
                "processing_working_days",
                "paused_working_days",
                "created_at",
                "updated_at",
                "imported",
            ],
            app_rows,
        )
        w.insert(Application.extensions.through, ["application_id", "package_id"], ext_rows)
        w.insert(
            StatusChange,
            ["application_id", "from_status", "to_status", "actor_label", "at", "on", "note"],
            history,
        )
        w.insert(
            Decision,
            ["id", "application_id", "outcome", "decided_on", "by_system", "note", "created_at"],
            decisions,
        )
        w.insert(Decision.reasons.through, ["decision_id", "reasoncode_id"], reason_rows)
        w.insert(
            LedgerEntry,
            [
                "provider_id",
                "kind",
                "amount_eur",
                "entry_date",
                "application_id",
                "note",
                "created_at",
            ],
            ledger,
        )
        count.created += len(new)

    def _differences_between(self, app: _App, earlier: _App):
        # The file's columns after its reference, in order, and the attributes read from them.
        cols = list(APPLICATION_COLUMNS)[1:]
        attrs = [
            "provider_id",
            "number",
            "name",
            "kind",
            "postal_code",
            "package_id",
            "extension_ids",
            "cost",
            "subsidy",
            "submitted_on",
            "status",
            "decided_on",
            "reason_ids",
        ]
        for col, attr in zip(cols, attrs, strict=True):
            a, b = getattr(app, attr), getattr(earlier, attr)
            if a != b:
                yield (
                    col,
                    f"{a if a not in (None, ()) else 'empty'}",
                    f"{b if b not in (None, ()) else 'empty'} (line {earlier.line})",
                )

    # -- amendments.csv

    def import_amendments(self, path: Path) -> None:
        name = path.name
        count = self.summary.files.setdefault(name, FileCount())
        occurrences: dict[tuple, int] = defaultdict(int)
        chunk = []
        for line, row in _read(path, AMENDMENT_COLUMNS, self.errors):
            self.tick()
            count.rows += 1
            parsed = self.parse_amendment(name, line, row)
            if parsed is not None:
                chunk.append(parsed)
            if len(chunk) >= CHUNK:
                self.write_amendments(name, chunk, count, occurrences)
                chunk = []
        self.write_amendments(name, chunk, count, occurrences)

    def parse_amendment(self, name: str, line: int, row: dict):
        err = self.errors
        before = len(err.lines)
        for col in ("reference", "kind", "package", "extra_cost_eur", "requested_on", "status"):
            if not row.get(col):
                err.add(name, line, col, "required")
        kind, status = row["kind"], row["status"]
        if kind and kind not in ("upgrade", "extension"):
            err.add(name, line, "kind", f"unknown kind {kind!r} (upgrade or extension)")
        if status and status not in AMENDMENT_STATUSES:
            err.add(
                name,
                line,
                "status",
                f"unknown status {status!r} (one of {', '.join(AMENDMENT_STATUSES)})",
            )
        package_id = None
        if row["package"] and kind in ("upgrade", "extension"):
            package_id = err.parsed(
                name, line, "package", self.package, row["package"], extension=kind == "extension"
            )
        cost = subsidy = requested = decided = None
        if row["extra_cost_eur"]:
            cost = err.parsed(name, line, "extra_cost_eur", self.parse.money, row["extra_cost_eur"])
        if row.get("extra_subsidy_eur"):
            subsidy = err.parsed(
                name, line, "extra_subsidy_eur", self.parse.money, row["extra_subsidy_eur"]
            )
        elif status == "approved":
            err.add(name, line, "extra_subsidy_eur", "required when the status is approved")
        if row["requested_on"]:
            requested = err.parsed(name, line, "requested_on", self.parse.date, row["requested_on"])
        if row.get("decided_on"):
            decided = err.parsed(name, line, "decided_on", self.parse.date, row["decided_on"])
            if decided is not None:
                if status == "submitted":
                    err.add(name, line, "decided_on", "must be empty while the status is submitted")
                elif requested and decided < requested:
                    err.add(name, line, "decided_on", "is before requested_on")
        elif status in ("approved", "rejected"):
            err.add(name, line, "decided_on", f"required when the status is {status}")
        if cost is not None and requested is not None:
            with translation.override("en"):
                refusal = bounds.extra_cost_refusal(cost, self.policy_for(requested))
            if refusal is not None:
                err.add(name, line, "extra_cost_eur", refusal)
        if len(err.lines) > before:
            return None
        return (line, row["reference"], kind, package_id, cost, subsidy, requested, status, decided)

    def write_amendments(self, name: str, chunk: list, count: FileCount, occurrences: dict) -> None:
        if not chunk:
            return
        refs = {c[1] for c in chunk}
        apps = {
            a["reference"]: a
            for a in Application.objects.filter(among("reference", refs))
            .order_by()
            .values(
                "id",
                "reference",
                "provider_id",
                "status",
                "decided_on",
                "submitted_on",
                "enterprise_kind",
            )
        }
        stored: dict[tuple, list] = defaultdict(list)
        for am in (
            Amendment.objects.filter(among("application_id", [a["id"] for a in apps.values()]))
            .order_by("id")
            .values(
                "application_id",
                "kind",
                "package_id",
                "requested_on",
                "extra_cost_eur",
                "extra_subsidy_eur",
                "status",
                "decided_on",
            )
        ):
            stored[(am["application_id"], am["kind"], am["package_id"], am["requested_on"])].append(
                am
            )
        new = []
        for item in chunk:
            line, ref, kind, package_id, cost, subsidy, requested, status, decided = item
            app = apps.get(ref)
            if app is None:
                if ref not in self.failed_refs:  # the application row's own error says it all
                    self.errors.add(
                        name, line, "reference", f"unknown application reference {ref!r}"
                    )
                continue
            key = (app["id"], kind, package_id, requested)
            index = occurrences[key]
            occurrences[key] += 1
            if index < len(stored[key]):
                s = stored[key][index]
                pairs = [
                    ("extra_cost_eur", cost, s["extra_cost_eur"]),
                    ("extra_subsidy_eur", subsidy, s["extra_subsidy_eur"]),
                    ("status", status, s["status"]),
                    ("decided_on", decided, s["decided_on"]),
                ]
                diffs = [(c, a, b) for c, a, b in pairs if a != b]
                for col, mine, theirs in diffs:
                    self.errors.add(
                        name,
                        line,
                        col,
                        f"this amendment of {ref} is already stored with other values "
                        f"(stored: {theirs or 'empty'}; this row: {mine or 'empty'})",
                    )
                if not diffs:
                    count.unchanged += 1
                continue
            if status == "approved" and app["status"] not in GRANTED_STATUSES:
                self.errors.add(
                    name,
                    line,
                    "status",
                    f"an approved amendment needs an approved application; {ref} is {app['status']}",
                )
                continue
            if requested < app["submitted_on"]:
                self.errors.add(name, line, "requested_on", f"is before {ref} was submitted")
                continue
            if subsidy is not None:
                with translation.override("en"):
                    refusal = bounds.subsidy_refusal(
                        subsidy,
                        policy=self.policy_for(requested),
                        enterprise_kind=app["enterprise_kind"],
                        cost=cost,
                    )
                if refusal is not None:
                    self.errors.add(name, line, "extra_subsidy_eur", refusal)
                    continue
            new.append((app, item))
        if not new:
            return
        ids = self.writer.reserve_ids(Amendment, len(new))
        decided_items = [
            (pk, app, item)
            for pk, (app, item) in zip(ids, new, strict=True)
            if item[7] != "submitted"
        ]
        decision_ids = self.writer.reserve_ids(Decision, len(decided_items))
        rows, decisions, ledger = [], [], []
        upgrades: dict[int, list[int]] = defaultdict(list)
        for pk, (app, item) in zip(ids, new, strict=True):
            _line, _ref, kind, package_id, cost, subsidy, requested, status, decided = item
            rows.append(
                (
                    pk,
                    app["id"],
                    kind,
                    package_id,
                    cost,
                    subsidy,
                    requested,
                    status,
                    decided,
                    "imported",
                    self.now,
                )
            )
            if status == "approved":
                if kind == "upgrade":
                    upgrades[package_id].append(app["id"])
                if subsidy and subsidy > 0:
                    ledger.append(
                        (
                            app["provider_id"],
                            "commit",
                            subsidy,
                            decided,
                            app["id"],
                            pk,
                            "imported",
                            self.now,
                        )
                    )
                    if app["status"] == "closed":
                        ledger.append(
                            (
                                app["provider_id"],
                                "realise",
                                subsidy,
                                max(decided, app["decided_on"]),
                                app["id"],
                                pk,
                                "imported; paid with its file",
                                self.now,
                            )
                        )
        for did, (pk, app, item) in zip(decision_ids, decided_items, strict=True):
            decisions.append((did, app["id"], pk, item[7], item[8], False, "imported", self.now))
        w = self.writer
        w.insert(
            Amendment,
            [
                "id",
                "application_id",
                "kind",
                "package_id",
                "extra_cost_eur",
                "extra_subsidy_eur",
                "requested_on",
                "status",
                "decided_on",
                "note",
                "created_at",
            ],
            rows,
        )
        w.insert(
            Decision,
            [
                "id",
                "application_id",
                "amendment_id",
                "outcome",
                "decided_on",
                "by_system",
                "note",
                "created_at",
            ],
            decisions,
        )
        w.insert(
            LedgerEntry,
            [
                "provider_id",
                "kind",
                "amount_eur",
                "entry_date",
                "application_id",
                "amendment_id",
                "note",
                "created_at",
            ],
            ledger,
        )
        # An approved upgrade changes the package the trajectory now runs under; the package as
        # filed (`package`) stays, statistics count that one.
        for package_id, app_ids in upgrades.items():
            Application.objects.filter(id__in=app_ids).update(current_package_id=package_id)
        count.created += len(new)


def history_import(path, actor=None, progress: bool = False) -> ImportSummary:
    """Import the history files in folder `path`, all or nothing. Raises ImportFailed (with
    every error as `FILE:LINE: column: message`) and imports nothing when any row is wrong."""
    return _Importer(Path(path), actor, progress).run()
