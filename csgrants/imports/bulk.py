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

from django.db import connection


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
