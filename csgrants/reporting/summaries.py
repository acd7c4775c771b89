"""Exact summaries of the yearly statistics, kept by PostgreSQL triggers (models.py holds the
tables; docs/statistics.md the design and the figures).

Why: the report over a million files must answer in about three times a `count(*)` of the
applications table; grouping, distinct-counting and summing the base tables takes six to eight
times that however the queries are written. The summaries hold the same figures per key, so the
report reads a few thousand rows.

How: one AFTER ... FOR EACH STATEMENT trigger per operation (INSERT, UPDATE, DELETE) on each
table a figure depends on, with the statement's transition tables (`new_rows`, `old_rows`): the
history import's COPY of 5,000 rows fires one trigger, not 5,000. Each trigger turns the rows of
the statement into signed rows (new +1, old -1), computes the net delta per summary key, drops
the keys whose delta is zero (an update that moves no file between groups writes nothing) and
upserts the rest in key order (`INSERT ... ORDER BY key ON CONFLICT (key) DO UPDATE SET
n = t.n + excluded.n`): one lock order for every writer, so concurrent writers wait on each
other instead of deadlocking. A statement changes one table; its trigger reads the other tables
as they are, so the deltas of consecutive statements add up whatever their order.

The distinct counts (enterprises reached, and with an extension package) are kept as numbers:
`report_enterprise_reach` counts each enterprise's approved files per year and provider
(provider 0: every provider); when that count goes from zero to more (or back) the upsert's
RETURNING, joined with its delta, says so and `report_reach_count` moves by one.

The SQL of every summary exists once, as a SELECT over `{signed}` (the signed rows of one
table): the triggers run it over the transition tables, `rebuild()` and `check()` over the whole
table. Changing it needs a migration that calls `install()` again.

Not covered: TRUNCATE of a base table, and anything done with triggers disabled
(`session_replication_role = replica`, pg_restore of data only): run
`manage.py rebuild_report_summary` afterwards.
"""

from __future__ import annotations

from django.db import connection, transaction

from csgrants.applications.statuses import approval_decided_sql
from csgrants.reporting import file_steps
from csgrants.reporting.models import (
    AmendmentCount,
    ApplicationFact,
    EnterpriseReach,
    InflowCount,
    LedgerSum,
    MonthReach,
    MonthReachCount,
    ProcessingFact,
    ReachCount,
    RefusalCount,
)
from csgrants.reporting.summary_sql import (  # noqa: F401 - SLOTS: summaries.SLOTS for tests
    SLOT,
    SLOTS,
    Summary,
    drop_trigger_sql,
    run_on_postgresql,
    signed_rows,
    statement_trigger_sql,
    year_of,
)

APP = "applications_application"
EXT = "applications_application_extensions"
AMENDMENT = "applications_amendment"
DECISION = "applications_decision"
REASONS = "applications_decision_reasons"
LEDGER = "budgets_ledgerentry"
BASE_TABLES = (APP, EXT, AMENDMENT, DECISION, REASONS, LEDGER)

# An approval was decided (a withdrawn file with a decision date was withdrawn after its
# approval): the same rule as the ORM's, from applications.statuses.
APPROVED_CLASS = approval_decided_sql("r")
BANDS_SQL = (
    "CASE WHEN r.cost_eur < 10000 THEN 'lt_10000' WHEN r.cost_eur < 17500 THEN '10000_17499' "
    "WHEN r.cost_eur < 25000 THEN '17500_24999' WHEN r.cost_eur < 35000 THEN '25000_34999' "
    "ELSE 'gte_35000' END"
)
HAS_EXTENSION = (
    f"(EXISTS (SELECT 1 FROM {EXT} e WHERE e.application_id = r.id) OR EXISTS (SELECT 1 FROM {AMENDMENT} m "
    "WHERE m.application_id = r.id AND m.kind = 'extension' AND m.status = 'approved'))"
)


APPLICATION_FACT = Summary(
    model=ApplicationFact,
    sources={
        APP: f"""
        SELECT r.provider_id, r.enterprise_kind, r.province, r.package_id, r.status,
               COALESCE({year_of("r.submitted_on")}, 0) AS submitted_year,
               COALESCE({year_of("r.decided_on")}, 0) AS decided_year,
               CASE WHEN r.status = 'withdrawn' AND r.submitted_on IS NOT NULL AND r.closed_on IS NOT NULL
                    THEN {year_of("r.closed_on")} ELSE 0 END AS withdrawn_year,
               {BANDS_SQL} AS band,
               r.sign AS n, r.sign * r.cost_eur AS cost_eur, r.sign * COALESCE(r.subsidy_eur, 0) AS subsidy_eur,
               r.sign * COALESCE(r.decided_on - r.submitted_on, 0) AS calendar_days,
               {{slot}} AS slot
        FROM {{signed}} r WHERE r.submitted_on IS NOT NULL OR r.decided_on IS NOT NULL"""
    },
    primary=APP,
    relevant={APP: "r.submitted_on IS NOT NULL OR r.decided_on IS NOT NULL"},
)

PROCESSING_FACT = Summary(
    model=ProcessingFact,
    sources={
        APP: f"""
        SELECT r.provider_id, r.status, {year_of("r.decided_on")} AS decided_year,
               r.processing_working_days AS working_days, r.sign AS n
        FROM {{signed}} r WHERE r.decided_on IS NOT NULL AND r.processing_working_days IS NOT NULL"""
    },
    primary=APP,
    relevant={APP: "r.decided_on IS NOT NULL AND r.processing_working_days IS NOT NULL"},
)

# Extension rows per application: the extensions M2M (any row) and approved EXTENSION amendments
# (the import writes those without the M2M row; amendments.py adds both).
_EXTENSION_CHANGE = f"""
        SELECT {year_of("a.decided_on")} AS year, p.provider_id, a.enterprise_id, 0 AS n,
               (c.now > 0)::int - (c.now - x.delta > 0)::int AS n_extension
        FROM (SELECT r.application_id, sum(r.sign) AS delta FROM {{signed}} r WHERE {{qualifies}}
              GROUP BY r.application_id HAVING sum(r.sign) <> 0) x
        JOIN {APP} a ON a.id = x.application_id
        CROSS JOIN LATERAL (SELECT
            (SELECT count(*) FROM {EXT} e WHERE e.application_id = a.id)
          + (SELECT count(*) FROM {AMENDMENT} m WHERE m.application_id = a.id AND m.kind = 'extension'
                                                   AND m.status = 'approved') AS now) c
        CROSS JOIN LATERAL (VALUES (a.provider_id), (0)) p(provider_id)
        WHERE ({APPROVED_CLASS.replace("r.", "a.")}) IS TRUE"""

ENTERPRISE_REACH = Summary(
    model=EnterpriseReach,
    sources={
        # OFFSET 0 keeps the subquery apart: the extension lookups run once per file, not once
        # per output row and again in the HAVING (four times as many index lookups).
        APP: f"""
        SELECT x.year, p.provider_id, x.enterprise_id, x.n, x.n_extension
        FROM (SELECT {year_of("r.decided_on")} AS year, r.provider_id, r.enterprise_id, r.sign AS n,
                     r.sign * {HAS_EXTENSION}::int AS n_extension
              FROM {{signed}} r WHERE {APPROVED_CLASS} OFFSET 0) x
        CROSS JOIN LATERAL (VALUES (x.provider_id), (0)) p(provider_id)""",
        EXT: _EXTENSION_CHANGE.replace("{qualifies}", "true"),
        AMENDMENT: _EXTENSION_CHANGE.replace(
            "{qualifies}", "r.kind = 'extension' AND r.status = 'approved'"
        ),
    },
    primary=APP,
    relevant={
        APP: APPROVED_CLASS,
        AMENDMENT: "r.kind = 'extension' AND r.status = 'approved'",
    },
)

REACH_COUNT = Summary(
    model=ReachCount,
    sources={},  # kept from ENTERPRISE_REACH's upserts (_reach_upsert)
    primary="",
)

LEDGER_SUM = Summary(
    model=LedgerSum,
    sources={
        LEDGER: f"""
        SELECT {year_of("r.entry_date")} AS year, r.provider_id, r.kind, r.sign AS n, r.sign * r.amount_eur AS amount_eur
        FROM {{signed}} r"""
    },
    primary=LEDGER,
)

# Conditions on a table joined by its key are written so that no index can serve them
# (`(...) IS TRUE`, COALESCE): the only way in is then the key's index, one lookup per row of the
# statement. Otherwise, inside the import's transaction (tables growing, statistics of empty
# tables), PostgreSQL read every stored decision through the index on amendment_id for every
# chunk: 2 s a chunk after 200,000 files.
_REFUSED_DECISION = "(d.outcome = 'rejected' AND COALESCE(d.amendment_id, 0) = 0) IS TRUE"
_REFUSED_APP = "(a.status = 'rejected' AND a.decided_on IS NOT NULL) IS TRUE"
REFUSAL_COUNT = Summary(
    model=RefusalCount,
    sources={
        APP: f"""
        SELECT {year_of("a.decided_on")} AS year, a.provider_id, dr.reasoncode_id AS reason_id, a.sign AS n
        FROM {{signed}} a JOIN {DECISION} d ON d.application_id = a.id AND {_REFUSED_DECISION}
        JOIN {REASONS} dr ON dr.decision_id = d.id
        WHERE a.status = 'rejected' AND a.decided_on IS NOT NULL""",
        DECISION: f"""
        SELECT {year_of("a.decided_on")} AS year, a.provider_id, dr.reasoncode_id AS reason_id, d.sign AS n
        FROM {{signed}} d JOIN {APP} a ON a.id = d.application_id AND {_REFUSED_APP}
        JOIN {REASONS} dr ON dr.decision_id = d.id
        WHERE {_REFUSED_DECISION}""",
        REASONS: f"""
        SELECT {year_of("a.decided_on")} AS year, a.provider_id, dr.reasoncode_id AS reason_id, dr.sign AS n
        FROM {{signed}} dr JOIN {DECISION} d ON d.id = dr.decision_id AND {_REFUSED_DECISION}
        JOIN {APP} a ON a.id = d.application_id AND {_REFUSED_APP}""",
    },
    primary=REASONS,
    relevant={
        APP: "r.status = 'rejected' AND r.decided_on IS NOT NULL",
        DECISION: _REFUSED_DECISION.replace("d.", "r."),
    },
)

# The columns of each base table that some summary reads (its own, or to join another table).
# An UPDATE that leaves all of them as they were in every row moves no figure: the trigger stops
# there, before planning anything (most updates of a file: due dates, pauses, notes, timestamps).
WATCHED = {
    APP: (
        "id",
        "provider_id",
        "enterprise_id",
        "enterprise_kind",
        "province",
        "package_id",
        "status",
        "submitted_on",
        "decided_on",
        "closed_on",
        "cost_eur",
        "subsidy_eur",
        "processing_working_days",
    ),
    EXT: ("application_id", "package_id"),
    AMENDMENT: ("application_id", "kind", "status", "decided_on", "extra_subsidy_eur"),
    DECISION: ("id", "application_id", "outcome", "amendment_id"),
    REASONS: ("decision_id", "reasoncode_id"),
    LEDGER: ("entry_date", "provider_id", "kind", "amount_eur"),
}

# In lock order: every trigger upserts the tables in this order.
_MONTH = "date_trunc('month', {})::date"

INFLOW_COUNT = Summary(
    model=InflowCount,
    sources={
        APP: f"""
        SELECT m.month, r.provider_id, r.package_id, m.measure, r.sign AS n, {{slot}} AS slot
        FROM {{signed}} r CROSS JOIN LATERAL (VALUES
            ({_MONTH.format("r.submitted_on")}, 'submitted'),
            (CASE WHEN {APPROVED_CLASS} THEN {_MONTH.format("r.decided_on")} END, 'approved')
        ) m(month, measure)
        WHERE m.month IS NOT NULL"""
    },
    primary=APP,
    relevant={APP: "r.submitted_on IS NOT NULL OR r.decided_on IS NOT NULL"},
)

MONTH_REACH = Summary(
    model=MonthReach,
    sources={
        APP: f"""
        SELECT {_MONTH.format("r.decided_on")} AS month, p.package_id, r.enterprise_id, r.sign AS n
        FROM {{signed}} r CROSS JOIN LATERAL (VALUES (r.package_id), (0)) p(package_id)
        WHERE {APPROVED_CLASS}"""
    },
    primary=APP,
    relevant={APP: APPROVED_CLASS},
)

MONTH_REACH_COUNT = Summary(
    model=MonthReachCount,
    sources={},  # kept from MONTH_REACH's upserts (_reach_upsert)
    primary="",
)

# An approved amendment counts in the year of its decision for the provider of its file; the
# file's provider can change (an operator's correction), which moves its amendments along.
_APPROVED_AMENDMENT = "(m.status = 'approved' AND m.decided_on IS NOT NULL) IS TRUE"
AMENDMENT_COUNT = Summary(
    model=AmendmentCount,
    sources={
        AMENDMENT: f"""
        SELECT {year_of("m.decided_on")} AS year, a.provider_id, m.kind, m.sign AS n,
               m.sign * COALESCE(m.extra_subsidy_eur, 0) AS subsidy_eur
        FROM {{signed}} m JOIN {APP} a ON a.id = m.application_id
        WHERE m.status = 'approved' AND m.decided_on IS NOT NULL""",
        APP: f"""
        SELECT {year_of("m.decided_on")} AS year, a.provider_id, m.kind, a.sign AS n,
               a.sign * COALESCE(m.extra_subsidy_eur, 0) AS subsidy_eur
        FROM {{signed}} a JOIN {AMENDMENT} m ON m.application_id = a.id AND {_APPROVED_AMENDMENT}""",
    },
    primary=AMENDMENT,
    relevant={AMENDMENT: "r.status = 'approved' AND r.decided_on IS NOT NULL"},
)

# A per-enterprise summary -> the summary of its distinct counts (measure for measure).
COUNTED = {ENTERPRISE_REACH: REACH_COUNT, MONTH_REACH: MONTH_REACH_COUNT}

SUMMARIES = (
    APPLICATION_FACT,
    PROCESSING_FACT,
    ENTERPRISE_REACH,
    LEDGER_SUM,
    REFUSAL_COUNT,
    INFLOW_COUNT,
    MONTH_REACH,
    AMENDMENT_COUNT,
)
ALL_TABLES = tuple(
    table for s in SUMMARIES for table in (s.table, *([COUNTED[s].table] if s in COUNTED else []))
)


def _reach_upsert(r: Summary, source: str) -> str:
    """Upsert the per-enterprise counts of `r` and move its distinct counts (COUNTED[r]) by the
    enterprises whose count left or reached zero. RETURNING gives each key's count after the
    upsert (also when a concurrent transaction changed it meanwhile); minus the delta, the count
    before."""
    c = COUNTED[r]
    keys, group = r.keys, c.keys  # the per-enterprise key is the count's key and the enterprise
    k, g = ", ".join(keys), ", ".join(group)
    m = ", ".join(r.measures)
    sets = ", ".join(f"{x} = t.{x} + excluded.{x}" for x in r.measures)
    joined = " AND ".join(f"d.{x} = up.{x}" for x in keys)
    moved = [f"sum((up.{x} > 0)::int - (up.{x} - d.{x} > 0)::int)" for x in r.measures]
    counted = ", ".join(c.measures)
    up_group = ", ".join(f"up.{x}" for x in group)
    return f"""
    WITH d AS ({r.grouped(source)}),
    up AS (
        INSERT INTO {r.table} AS t ({k}, {m})
        SELECT {k}, {m} FROM d ORDER BY {k}
        ON CONFLICT ({k}) DO UPDATE SET {sets}
        RETURNING {", ".join(f"t.{x}" for x in (*keys, *r.measures))}
    )
    INSERT INTO {c.table} AS t ({g}, {counted})
    SELECT {up_group}, {", ".join(moved)}
    FROM up JOIN d ON {joined}
    GROUP BY {up_group}
    HAVING {" OR ".join(f"{x} <> 0" for x in moved)}
    ORDER BY {up_group}
    ON CONFLICT ({g}) DO UPDATE SET {", ".join(f"{x} = t.{x} + excluded.{x}" for x in c.measures)}"""


def _statements(base: str, signed: str) -> list[tuple[Summary, str]]:
    out = []
    for s in SUMMARIES:
        if base not in s.sources:
            continue
        source = s.sources[base].replace("{signed}", signed).replace("{slot}", SLOT)
        out.append((s, _reach_upsert(s, source) if s in COUNTED else s.upsert(source)))
    return out


def _guard(s: Summary, base: str, op: str) -> str | None:
    """A cheap test (static SQL over the transition tables only, so its cached plan cannot go
    stale) of whether any row of the statement can change `s`; None: always run. Planning the
    upserts costs about a millisecond each, and most writes concern none or one summary (a
    draft's insert none; a submission only the facts)."""
    condition = s.relevant.get(base)
    if condition is None:
        return None
    tables = {"insert": ("new_rows",), "delete": ("old_rows",), "update": ("new_rows", "old_rows")}
    return " OR ".join(f"EXISTS (SELECT 1 FROM {t} r WHERE {condition})" for t in tables[op])


def _body(base: str, op: str) -> str:
    lines = []
    if op == "update":
        columns = ", ".join(WATCHED[base])
        lines.append(
            f"IF NOT EXISTS (SELECT {columns} FROM new_rows EXCEPT ALL SELECT {columns} FROM old_rows) "
            "THEN RETURN NULL; END IF;"
        )
    for s, statement in _statements(base, signed_rows(op)):
        if any(table in s.sources[base] for table in BASE_TABLES):
            # EXECUTE: planned at each firing with the tables' current sizes. A static
            # statement keeps the plan of its first firing (a history import's first chunk,
            # empty tables) for the whole session, and that plan scans what it took for empty
            # tables.
            run = f"EXECUTE $stmt${statement}$stmt$;"
        else:
            # Reads the statement's rows only (and upserts through the summary's unique key):
            # no plan of it depends on the size of a table, so PL/pgSQL's cached one is right
            # and saves planning it at every write.
            run = f"{statement};"
        guard = _guard(s, base, op)
        lines.append(run if guard is None else f"IF {guard} THEN\n{run}\nEND IF;")
    return "\n".join(lines)


def _name(base: str, op: str) -> str:
    return f"report_summary_{base}_{op}"


def install_sql() -> list[str]:
    return [
        statement
        for base in BASE_TABLES
        for op in ("insert", "update", "delete")
        for statement in statement_trigger_sql(
            base, op, f"report_summary_{op}", _name(base, op), _body(base, op)
        )
    ]


def uninstall_sql() -> list[str]:
    return [
        statement
        for base in BASE_TABLES
        for op in ("insert", "update", "delete")
        for statement in drop_trigger_sql(base, f"report_summary_{op}", _name(base, op))
    ]


def trigger_names() -> set[tuple[str, str]]:
    """(table, trigger) of every trigger install() creates."""
    return {
        (base, f"report_summary_{op}")
        for base in BASE_TABLES
        for op in ("insert", "update", "delete")
    }


def install(schema_editor) -> None:
    """Create (or replace) the trigger functions and triggers; PostgreSQL only."""
    run_on_postgresql(schema_editor, install_sql())


def uninstall(schema_editor) -> None:
    run_on_postgresql(schema_editor, uninstall_sql())


def enabled() -> bool:
    """Whether the report can read the summaries: PostgreSQL, where the triggers keep them."""
    return connection.vendor == "postgresql"


def budget_year_rows(provider_id: int | None) -> list[tuple] | None:
    """budgets.selectors.year_rows from the ledger summary: (year, provider id, kind, lines,
    amount) of every group with lines; None where the triggers do not keep it (not PostgreSQL)."""
    if not enabled():
        return None
    qs = LedgerSum.objects.exclude(n=0)
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    return list(qs.values_list("year", "provider_id", "kind", "n", "amount_eur"))


def _expected(s: Summary) -> str:
    """The summary computed from the base tables (no zero rows)."""
    for r, c in COUNTED.items():
        if s is c:
            return _distinct_counts(r, c, _expected(r))
    return s.grouped(
        s.sources[s.primary]
        .replace("{signed}", f"(SELECT 1 AS sign, * FROM {s.primary})")
        .replace("{slot}", "0")
    )


def _distinct_counts(r: Summary, c: Summary, per_enterprise: str) -> str:
    """The distinct counts `c` from rows of the per-enterprise summary `r`."""
    g = ", ".join(c.keys)
    counted = ", ".join(
        f"count(*) FILTER (WHERE {m} > 0) AS {cm}"
        for m, cm in zip(r.measures, c.measures, strict=True)
    )
    return f"SELECT {g}, {counted} FROM ({per_enterprise}) e GROUP BY {g}"


def _lock(cur) -> None:
    # Writers wait until the rebuild or check is done: what it reads and writes stays consistent.
    tables = (*BASE_TABLES, file_steps.HIST, file_steps.REPORT)
    cur.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE MODE")


def rebuild() -> dict[str, int]:
    """Recompute every summary (and the funnel's file steps) from the base tables, in one
    transaction. Returns rows per table."""
    counts = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        _lock(cur)
        cur.execute(f"TRUNCATE {', '.join(ALL_TABLES)}")
        for s in SUMMARIES:
            columns = ", ".join(s.keys + s.measures)
            cur.execute(f"INSERT INTO {s.table} ({columns}) {_expected(s)}")
            counts[s.table] = cur.rowcount
            if s in COUNTED:
                c = COUNTED[s]
                cur.execute(
                    f"INSERT INTO {c.table} ({', '.join(c.keys + c.measures)}) "
                    f"{_distinct_counts(s, c, f'SELECT * FROM {s.table}')}"
                )
                counts[c.table] = cur.rowcount
        counts.update(file_steps.rebuild(cur))
    return counts


def check(limit: int = 20) -> dict[str, list[dict]]:
    """Compare every summary with what the base tables give; {table: [differences]} (at most
    `limit` per table), empty when they agree. Reads only."""
    differences: dict[str, list[dict]] = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        _lock(cur)
        for s in (*SUMMARIES, *COUNTED.values(), *file_steps.SUMMARIES):
            k = ", ".join(s.group_keys)
            differ = " OR ".join(f"e.{m} IS DISTINCT FROM s.{m}" for m in s.measures)
            cur.execute(
                f"SELECT {k}, {', '.join(f'e.{m}' for m in s.measures)}, {', '.join(f's.{m}' for m in s.measures)} "
                f"FROM ({_expected(s)}) e FULL JOIN ({s.stored()}) s USING ({k}) WHERE {differ} "
                f"ORDER BY {k} LIMIT %s",
                [limit],
            )
            rows = cur.fetchall()
            if rows:
                nk, nm = len(s.group_keys), len(s.measures)
                differences[s.table] = [
                    {
                        "key": dict(zip(s.group_keys, row[:nk], strict=True)),
                        "expected": dict(zip(s.measures, row[nk : nk + nm], strict=True)),
                        "stored": dict(zip(s.measures, row[nk + nm :], strict=True)),
                    }
                    for row in rows
                ]
        rows = file_steps.check(cur, limit)
        if rows:
            differences[file_steps.TABLE] = rows
    return differences
