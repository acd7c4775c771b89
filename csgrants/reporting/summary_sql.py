"""The SQL of an exact summary kept by statement-level triggers (reporting.summaries has the
design): the table, its key, the source SELECT of signed rows, the upsert. Apart from
summaries.py so that the funnel's file steps (reporting.file_steps) can build theirs with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

# The slot of a striped summary (ApplicationFact) that a writer's rows go to: one per database
# session, so that concurrent writers (each gunicorn worker has its own connection) upsert
# different rows of a hot key instead of queueing on one; a bulk import writes one slot. At most
# SLOTS rows per key; `rebuild()` folds them back into slot 0. `csgrants.summary_slot` pins it
# (the tests play several writers through one connection with it).
SLOTS = 8
SLOT = (
    "COALESCE(NULLIF(current_setting('csgrants.summary_slot', true), '')::int, "
    f"mod(pg_backend_pid(), {SLOTS}))::smallint"
)


def year_of(column: str) -> str:
    return f"EXTRACT(YEAR FROM {column})::int"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Summary:
    # the table (models.py): its unique constraint is the key the upserts' ON CONFLICT names,
    # its other columns the measures
    model: type[models.Model]
    # base table -> SELECT producing key and signed measure columns from `{signed} r`
    sources: dict
    # the base table whose source, run over the whole table, gives the summary
    primary: str
    # base table -> condition on a row `r` of it without which its source yields nothing (the
    # source's own filter); the trigger skips the statement when no row of it qualifies
    relevant: dict = field(default_factory=dict)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def keys(self) -> tuple[str, ...]:
        (key,) = self.model._meta.constraints
        return tuple(key.fields)

    @property
    def group_keys(self) -> tuple[str, ...]:
        """The key a reader sees: the slots of a striped summary summed."""
        return tuple(k for k in self.keys if k != "slot")

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(
            f.column
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name not in self.keys
        )

    def grouped(self, source: str) -> str:
        k = ", ".join(self.keys)
        sums = ", ".join(f"sum(s.{m}) AS {m}" for m in self.measures)
        nonzero = " OR ".join(f"sum(s.{m}) <> 0" for m in self.measures)
        return f"SELECT {k}, {sums} FROM ({source}) s GROUP BY {k} HAVING {nonzero}"

    def upsert(self, source: str) -> str:
        k, m = ", ".join(self.keys), ", ".join(self.measures)
        sets = ", ".join(f"{c} = t.{c} + excluded.{c}" for c in self.measures)
        return (
            f"INSERT INTO {self.table} AS t ({k}, {m}) {self.grouped(source)} ORDER BY {k} "
            f"ON CONFLICT ({k}) DO UPDATE SET {sets}"
        )

    def stored(self) -> str:
        """What the table holds per reader's key (slots summed), without zero rows."""
        k = ", ".join(self.group_keys)
        sums = ", ".join(f"sum({m}) AS {m}" for m in self.measures)
        nonzero = " OR ".join(f"sum({m}) <> 0" for m in self.measures)
        return f"SELECT {k}, {sums} FROM {self.table} GROUP BY {k} HAVING {nonzero}"


def signed_rows(op: str) -> str:
    new, old = "SELECT 1 AS sign, * FROM new_rows", "SELECT -1 AS sign, * FROM old_rows"
    return "(" + {"insert": new, "delete": old, "update": f"{new} UNION ALL {old}"}[op] + ")"


_TRANSITION_TABLES = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
}


def statement_trigger_sql(table: str, op: str, trigger: str, function: str, body: str) -> list[str]:
    """(Re)create `function` (PL/pgSQL, `body` then RETURN NULL) and the statement-level
    trigger `trigger` AFTER `op` on `table` that runs it with the statement's transition tables
    (`new_rows`, `old_rows`)."""
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$body$",
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
        f"CREATE TRIGGER {trigger} AFTER {op.upper()} ON {table} "
        f"REFERENCING {_TRANSITION_TABLES[op]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def drop_trigger_sql(table: str, trigger: str, function: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {trigger} ON {table}", f"DROP FUNCTION IF EXISTS {function}()"]


def run_on_postgresql(schema_editor, statements: list[str]) -> None:
    """Run a migration's trigger DDL; nothing on SQLite, where no trigger keeps the summaries."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in statements:
        schema_editor.execute(statement)
