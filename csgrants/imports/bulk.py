"""Bulk writing for the history import: explicit primary keys handed out in blocks, rows written
with PostgreSQL COPY (or bulk_create elsewhere).

Why not plain bulk_create everywhere: a million applications become five to seven million rows
(application, status history, decision, reasons, ledger lines). bulk_create builds a model
instance and compiles every field of every row in Python, which on the shared two-core machine
stays under the 5,000 rows/s the contract asks for. COPY streams tuples straight to the server.
SQLite (tests, `make run`) keeps bulk_create: the volumes there are small, and it exercises the
same row tuples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Expression, F, Q


def _run_queued_checks(cur) -> None:
    """A table with queued (deferred) constraint checks cannot be altered or indexed: run the
    checks queued so far now. Every constraint of the schema is INITIALLY DEFERRED (Django's
    foreign keys), which `ALL DEFERRED` restores afterwards."""
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cur.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def foreign_keys_checked_once(models, enabled: bool = True):
    """On PostgreSQL, drop the foreign keys of `models`' tables for the duration of a bulk load
    and add them back at the end, in the same transaction (the caller's atomic block).

    Why: the foreign keys are checked row by row (a trigger and an index lookup with a row lock
    per reference, queued until COMMIT). A million imported applications carry about ten
    million such references, which took a third of the import time. Adding a constraint back
    checks the whole table in one join instead (what pg_restore does, and what the PostgreSQL
    manual advises for bulk loads, "Populating a Database"). Nothing is given up: the re-added
    constraints are validated before the transaction commits, and an error rolls everything
    back, constraints included (DDL is transactional in PostgreSQL).

    The cost: until the import commits, the altered tables and the tables they point at (the
    application tables, enterprises, the catalogue) are locked for other sessions, so callers
    enable this only for large loads. Keys pointing at the user table stay: imported rows leave
    them empty (an empty key costs no lookup) and locking the user table would block logins.
    """
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cur:
        _run_queued_checks(cur)
        cur.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) AND c.confrelid <> %s::regclass "
            "ORDER BY c.conrelid, c.conname",
            [tables, get_user_model()._meta.db_table],
        )
        keys = cur.fetchall()
        for table, name, _definition in keys:
            cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    yield
    with connection.cursor() as cur:
        # Memory for the validating joins (a server setting, for this transaction only).
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cur.execute("SET LOCAL work_mem = '64MB'")
        _run_queued_checks(cur)  # the load queued some too (updates of rows that others point at)
        for table, name, definition in keys:
            cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def indexes_built_once(models, enabled: bool = True):
    """On PostgreSQL, drop the plain (non-unique) indexes of `models`' tables for the duration
    of a bulk load and build them again at the end, in the same transaction.

    Why: every imported row otherwise updates every index of its table (15 on the applications
    table, 8 on the ledger), one random insertion each; building an index afterwards sorts the
    column once ("Populating a Database" in the PostgreSQL manual). Unique indexes and primary
    keys stay: the import looks rows up by reference, number and id while it loads, and they
    enforce uniqueness. Callers only use this where the load itself queries none of the dropped
    indexes, and only for large loads: the tables stay locked until the import commits, and a
    rebuild costs in proportion to everything the table holds.
    """
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY i.indrelid, i.indexrelid",
            [tables],
        )
        indexes = cur.fetchall()
        _run_queued_checks(cur)
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        _run_queued_checks(cur)
        for _name, definition in indexes:
            cur.execute(definition)


class _EqualsAny(Expression):
    """`column = ANY(%s)` with the values as one array parameter (PostgreSQL)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, values: list):
        super().__init__()
        self.lhs = F(column)
        self.values = values

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, exprs):
        (self.lhs,) = exprs

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        clone.lhs = self.lhs.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return clone

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        return f"{lhs} = ANY(%s)", (*params, self.values)


def among(column: str, values: Iterable) -> Q | Expression:
    """A filter "`column` is one of `values`" for a chunk's thousands of keys. On PostgreSQL the
    values travel as one array parameter: an IN list of 5,000 placeholders costs the client
    more to build and to bind (Django per value, psycopg parsing the long statement, never
    cached) than the server takes to look the keys up. Elsewhere a plain `__in`."""
    values = list(values)
    if connection.vendor == "postgresql":
        return _EqualsAny(column, values)
    return Q(**{f"{column}__in": values})


class BulkWriter:
    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._next_id: dict[type, int] = {}

    def reserve_ids(self, model, n: int) -> list[int]:
        """`n` fresh primary keys for `model`, so that child rows can point at parents before
        anything is written."""
        if n <= 0:
            return []
        table = model._meta.db_table
        if self.postgres:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, n],
                )
                return [r[0] for r in cur.fetchall()]
        # SQLite: the import runs in one write transaction (nobody else inserts meanwhile), so
        # counting on from the current maximum is safe.
        if model not in self._next_id:
            with connection.cursor() as cur:
                cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - table from _meta
                self._next_id[model] = cur.fetchone()[0] + 1
        start = self._next_id[model]
        self._next_id[model] = start + n
        return list(range(start, start + n))

    def insert(self, model, attnames: Sequence[str], rows: Iterable[tuple]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        if self.postgres:
            columns = {f.attname: f.column for f in model._meta.concrete_fields}
            cols = ", ".join(f'"{columns[a]}"' for a in attnames)
            with connection.cursor() as cur:
                raw = cur.cursor  # the psycopg cursor: Django's wrapper has no copy()
                with raw.copy(f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            return len(rows)
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=500)
        return len(rows)
