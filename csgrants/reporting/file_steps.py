"""The funnel's steps per file (reporting.funnel), kept by PostgreSQL triggers in
`report_file_step` (models.FileStep): one row per file with status history, the first date of
each step.

Why: the funnel of a year folds the status history of the year's files (a few hundred thousand
files, five or more rows each, read by random index lookups): 3 s on a million files, against a
budget of 1 s, and the statistics page draws it for two years. One narrow row per file, read by
the filing date's index, brings that to a grouping of the year's rows.

The SQL that says which history row marks which step exists once (`STEP_CASES`, from the status
vocabulary): the triggers fold a statement's new history rows with it, `per_file_sql()` folds
the whole history with it (the rebuild, the check, and the funnel itself on SQLite, where no
trigger keeps the table).

How the triggers keep it (FOR EACH STATEMENT, with transition tables, like reporting.summaries):

- history INSERT: the new rows folded per file and merged with the stored dates by LEAST (the
  history is append-only: a new row can only give a step an earlier or a first date). Reads the
  statement's rows, the files by primary key and their accepted final reports by file: no scan,
  also inside the history import's transaction with its indexes dropped.
- history DELETE (an operator's cleanup, a file deleted): the files' rows are folded again from
  what is left.
- final report INSERT / UPDATE / DELETE: the files' accepted-report date again.
- file UPDATE of provider or package: copied. (A file is deleted after its history, whose
  trigger takes its row away.)

Not covered, as for the summaries: TRUNCATE, writes with triggers disabled; run
`manage.py rebuild_report_summary` afterwards.
"""

from __future__ import annotations

from django.db import connection

from csgrants.applications.models import Application, FinalReport, Status, StatusChange
from csgrants.applications.statuses import sql_list
from csgrants.reporting.models import FileStep, FunnelCount, FunnelPair
from csgrants.reporting.summary_sql import (
    SLOT,
    Summary,
    drop_trigger_sql,
    run_on_postgresql,
    signed_rows,
    statement_trigger_sql,
    year_of,
)

HIST = StatusChange._meta.db_table
APP = Application._meta.db_table
REPORT = FinalReport._meta.db_table
TABLE = FileStep._meta.db_table

# step -> the history rows (alias h) that mark it; the stored column is f"{step}_on".
STEP_CASES = {
    "filed": "h.from_status = ''",
    "confirmed": f"h.from_status = '{Status.AWAITING_CONFIRMATION}' AND h.to_status = '{Status.SUBMITTED}'",
    "submitted": f"h.to_status = '{Status.SUBMITTED}'",
    "decided": f"h.to_status IN ({sql_list([Status.APPROVED, Status.REJECTED])})",
    "approved": f"h.to_status = '{Status.APPROVED}'",
    "started": f"h.to_status = '{Status.IN_PROGRESS}'",
    "paid": f"h.to_status = '{Status.CLOSED}'",
}
STEP_COLUMNS = tuple(f"{step}_on" for step in STEP_CASES)
COLUMNS = ("application_id", "provider_id", "package_id", *STEP_COLUMNS, "report_accepted_on")

# The funnel's steps in order, and the stored date (of a FileStep row r) that marks each.
STEPS = {
    "filed": "r.filed_on",
    "confirmed": "r.confirmed_on",
    "submitted": "r.submitted_on",
    "decided": "r.decided_on",
    "approved": "r.approved_on",
    "started": "r.started_on",
    # Accepting a report does not change the status; imported history has no reports, and its
    # payment (-> closed) says the report was accepted.
    "final_report_accepted": "COALESCE(r.report_accepted_on, r.paid_on)",
    "paid": "r.paid_on",
}
# step -> the step its working days are counted from
PREVIOUS = {
    "confirmed": "filed",
    "submitted": "filed",
    "decided": "submitted",
    "approved": "submitted",
    "started": "approved",
    "final_report_accepted": "started",
    "paid": "final_report_accepted",
}
OPTIONAL = {"confirmed"}  # not implied by a later step
STEP_INDEX = {step: i for i, step in enumerate(STEPS)}


def reached_bits() -> str:
    """The steps a FileStep row r reached by its own dates, as bits (bit i: step i of STEPS)."""
    return " + ".join(
        f"(CASE WHEN {date} IS NULL THEN 0 ELSE {1 << i} END)"
        for i, date in enumerate(STEPS.values())
    )


# The scheme-wide funnel of a year reads a few hundred counts and a few thousand pairs of dates
# instead of the year's files: the statistics page draws it for two years in its 300 ms.
# Kept from this table's rows by its own triggers (below), striped like the application facts.
FUNNEL_COUNT = Summary(
    model=FunnelCount,
    sources={
        TABLE: f"""
        SELECT {year_of("r.filed_on")} AS year, r.provider_id, r.package_id,
               {reached_bits()} AS reached, r.sign AS n, {{slot}} AS slot
        FROM {{signed}} r WHERE r.filed_on IS NOT NULL"""
    },
    primary=TABLE,
)
_PAIRS = ", ".join(
    f"({STEP_INDEX[step]}::smallint, {STEPS[previous]}, {STEPS[step]})"
    for step, previous in PREVIOUS.items()
)
FUNNEL_PAIR = Summary(
    model=FunnelPair,
    sources={
        TABLE: f"""
        SELECT {year_of("r.filed_on")} AS year, p.step, p.previous_on, p.reached_on,
               r.sign AS n, {{slot}} AS slot
        FROM {{signed}} r CROSS JOIN LATERAL (VALUES {_PAIRS}) p(step, previous_on, reached_on)
        WHERE r.filed_on IS NOT NULL AND p.previous_on IS NOT NULL AND p.reached_on IS NOT NULL"""
    },
    primary=TABLE,
)
SUMMARIES = (FUNNEL_COUNT, FUNNEL_PAIR)  # in lock order


def _accepted_report(app_id: str) -> str:
    """The date the file's final report was accepted (the first, should there be several)."""
    return (
        f"(SELECT MIN(f.reviewed_on) FROM {REPORT} f WHERE f.application_id = {app_id} "
        f"AND f.status = '{FinalReport.ReportStatus.ACCEPTED}')"
    )


def per_file_sql(history: str = HIST, where: str = "") -> str:
    """SELECT of the rows of `COLUMNS` folded from the history rows `history` (a table, or a
    parenthesised SELECT) joined to their files, `where` restricting those rows (alias h, a)."""
    on = connection.ops.quote_name("on")
    steps = ",\n".join(
        f"MIN(CASE WHEN {cond} THEN h.{on} END) AS {step}_on" for step, cond in STEP_CASES.items()
    )
    return f"""
    SELECT a.id AS application_id, a.provider_id, a.package_id,
{steps},
           {_accepted_report("a.id")} AS report_accepted_on
    FROM {history} h JOIN {APP} a ON a.id = h.application_id
    {f"WHERE {where}" if where else ""}
    GROUP BY a.id, a.provider_id, a.package_id"""


def _columns() -> str:
    return ", ".join(COLUMNS)


def _refold(ids: str) -> list[str]:
    """Fold the files `ids` (a SELECT of application ids) again from their whole history."""
    return [
        f"DELETE FROM {TABLE} WHERE application_id IN ({ids})",
        f"INSERT INTO {TABLE} ({_columns()}) "
        f"{per_file_sql(where=f'h.application_id IN ({ids})')} ORDER BY 1",
    ]


def _history_insert() -> list[str]:
    merged = ", ".join(f"{c} = LEAST(t.{c}, excluded.{c})" for c in STEP_COLUMNS)
    # ORDER BY: one lock order for concurrent writers; ON CONFLICT keeps the stored report date
    # (the final-report triggers keep it).
    return [
        f"INSERT INTO {TABLE} AS t ({_columns()}) {per_file_sql(history='new_rows')} ORDER BY 1 "
        f"ON CONFLICT (application_id) DO UPDATE SET {merged}"
    ]


def _report_changed(rows: str) -> list[str]:
    return [
        f"UPDATE {TABLE} t SET report_accepted_on = {_accepted_report('t.application_id')} "
        f"WHERE t.application_id IN (SELECT application_id FROM {rows})"
    ]


def _bodies() -> dict[tuple[str, str], list[str]]:
    """(table, operation) -> the statements of its trigger."""
    both = "(SELECT application_id FROM new_rows UNION SELECT application_id FROM old_rows) x"
    return {
        (HIST, "insert"): _history_insert(),
        (HIST, "delete"): _refold("SELECT application_id FROM old_rows"),
        (REPORT, "insert"): _report_changed("new_rows"),
        (REPORT, "update"): _report_changed(both),
        (REPORT, "delete"): _report_changed("old_rows"),
        (APP, "update"): [
            f"UPDATE {TABLE} t SET provider_id = n.provider_id, package_id = n.package_id "
            "FROM new_rows n WHERE n.id = t.application_id "
            "AND (t.provider_id, t.package_id) IS DISTINCT FROM (n.provider_id, n.package_id)"
        ],
        **{(TABLE, op): _summary_upserts(op) for op in ("insert", "update", "delete")},
    }


def _summary_upserts(op: str) -> list[str]:
    signed = signed_rows(op)
    return [
        s.upsert(s.sources[TABLE].replace("{signed}", signed).replace("{slot}", SLOT))
        for s in SUMMARIES
    ]


def _name(table: str, op: str) -> str:
    return f"report_file_step_{table}_{op}"


def trigger_names() -> set[tuple[str, str]]:
    """(table, trigger) of every trigger install_sql() creates."""
    return {(table, f"report_file_step_{op}") for table, op in _bodies()}


def install_sql() -> list[str]:
    sql = []
    for (table, op), statements in _bodies().items():
        guard = ""
        if op == "update":
            # Most updates of a file move neither provider nor package; an update of a row of
            # steps that leaves it as it was moves no count: stop before planning anything.
            columns = "id, provider_id, package_id" if table == APP else "*"
            guard = (
                f"IF NOT EXISTS (SELECT {columns} FROM new_rows EXCEPT ALL "
                f"SELECT {columns} FROM old_rows) THEN RETURN NULL; END IF;\n"
            )
        if table == TABLE:
            # Reads the statement's rows only and upserts by the unique key: PL/pgSQL's cached
            # plan cannot go stale (see summaries._body).
            body = "\n".join(f"{s};" for s in statements)
        else:
            # EXECUTE: planned at each firing with the tables' current sizes (summaries._body).
            body = "\n".join(f"EXECUTE $stmt${s}$stmt$;" for s in statements)
        sql += statement_trigger_sql(
            table, op, f"report_file_step_{op}", _name(table, op), guard + body
        )
    return sql


def uninstall_sql() -> list[str]:
    return [
        statement
        for table, op in _bodies()
        for statement in drop_trigger_sql(table, f"report_file_step_{op}", _name(table, op))
    ]


def install(schema_editor) -> None:
    run_on_postgresql(schema_editor, install_sql())


def uninstall(schema_editor) -> None:
    run_on_postgresql(schema_editor, uninstall_sql())


def rebuild(cur) -> dict[str, int]:
    """Fold every file's history again (inside the caller's transaction and locks); the insert's
    trigger counts the funnel summaries from the new rows, all in slot 0."""
    tables = (TABLE, *(s.table for s in SUMMARIES))
    cur.execute(f"TRUNCATE {', '.join(tables)}")
    cur.execute("SELECT COALESCE(current_setting('csgrants.summary_slot', true), '')")
    pinned = cur.fetchone()[0]
    cur.execute("SELECT set_config('csgrants.summary_slot', '0', true)")
    cur.execute(f"INSERT INTO {TABLE} ({_columns()}) {per_file_sql()}")
    counts = {TABLE: cur.rowcount}
    cur.execute("SELECT set_config('csgrants.summary_slot', %s, true)", [pinned])
    for s in SUMMARIES:
        cur.execute(f"SELECT count(*) FROM {s.table}")
        counts[s.table] = cur.fetchone()[0]
    return counts


def check(cur, limit: int) -> list[dict]:
    """The files whose stored steps differ from their history (at most `limit`)."""
    measures = COLUMNS[1:]
    differ = " OR ".join(f"e.{c} IS DISTINCT FROM s.{c}" for c in measures)
    cur.execute(
        f"SELECT application_id, {', '.join(f'e.{c}' for c in measures)}, "
        f"{', '.join(f's.{c}' for c in measures)} FROM ({per_file_sql()}) e "
        f"FULL JOIN {TABLE} s USING (application_id) WHERE {differ} "
        "ORDER BY application_id LIMIT %s",
        [limit],
    )
    n = len(measures)
    return [
        {
            "key": {"application_id": row[0]},
            "expected": dict(zip(measures, row[1 : 1 + n], strict=True)),
            "stored": dict(zip(measures, row[1 + n :], strict=True)),
        }
        for row in cur.fetchall()
    ]
