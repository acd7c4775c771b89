"""The funnel (contracts/insight.md): where do files stop on the way from filing to payment?

Read from the append-only status history (applications.StatusChange), for the files **filed**
in a year (the date of their first history row: the draft, or for imported history the
submission), per provider and package (the main package at submission). The steps and the
history rows that mark them:

========================  ==================================================================
filed                     the first row (from "")
confirmed                 awaiting_confirmation -> submitted: the enterprise confirmed its
                          declaration. Counted from the rows themselves, so it counts from the
                          day that status exists (enterprise confirmation, issue 22); files
                          submitted before then were never asked and do not count here.
submitted                 -> submitted (the first time; an answer to an information request
                          is a later submission of the same file)
decided                   -> approved or -> rejected
approved                  -> approved
trajectory started        -> in_progress
final report accepted     the accepted final report (its review date: accepting a report does
                          not change the status), or -> closed for imported history
paid                      -> closed
========================  ==================================================================

A file that reached a later step of the chain reached the earlier ones too (imported history
records a paid file as approved -> closed, without the start): it counts for them, without a
date. "confirmed" is not implied: it is a step only some files take.

For each step: how many files reached it, the share of those that also reached the next step
("moved on"), and the median working days (core.calendar: weekends, Belgian legal holidays,
11 July, the configured closing days; from a date exclusive to a date inclusive) from the
previous step: confirmed and submitted from filed, decided and approved from submitted, and each
later step from the one before.

Performance: one SQL statement. The history rows are folded to one row of step dates per file
(reporting.file_steps: on PostgreSQL kept by triggers in report_file_step and read by the filing
date's index; on SQLite folded for the year's files at each call). That (materialised once) is
grouped twice: by provider, package and which steps were reached (a
few thousand groups), and by pairs of dates per step (a few thousand per step). Working days are
counted by numpy over those pairs, not per file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db import connection
from django.db.models import Sum

from csgrants.catalogue.models import Package, ServiceProvider
from csgrants.core.calendar import default_calendar
from csgrants.reporting import file_steps, summaries
from csgrants.reporting.models import FunnelCount, FunnelPair

STEPS = tuple(file_steps.STEPS)
PREVIOUS = file_steps.PREVIOUS
OPTIONAL = file_steps.OPTIONAL


def _sql(provider_id, package_id, counts: bool = True) -> str:
    """The funnel's one statement over the year's files; parameters start, end (the year),
    provider, package. Its rows: (-1, provider, package, None, None, n, reached flag per step)
    (unless not `counts`) and (step index, None, None, previous step's date, step's date, n,
    None...), the dates on PostgreSQL as days since 1970-01-01."""
    step_columns = ",\n".join(f"{date} AS s_{step}" for step, date in file_steps.STEPS.items())
    extra = ""
    if provider_id is not None:
        extra += " AND provider_id = %(provider)s"
    if package_id is not None:
        extra += " AND package_id = %(package)s"
    if summaries.enabled():
        source = f"{file_steps.TABLE} r"  # kept by the triggers
    else:
        # The same fold, of the year's files only (the partial index on the first rows' dates).
        on = connection.ops.quote_name("on")
        cohort = (
            f"h.application_id IN (SELECT c.application_id FROM {file_steps.HIST} c "
            f"WHERE c.from_status = '' AND c.{on} >= %(start)s AND c.{on} < %(end)s)"
        )
        source = f"({file_steps.per_file_sql(where=cohort)}) r"
    reached = ", ".join(f"CASE WHEN s_{s} IS NULL THEN 0 ELSE 1 END AS r_{s}" for s in STEPS)
    reached_keys = ", ".join(f"r_{s}" for s in STEPS)
    epoch = " - DATE '1970-01-01'" if connection.vendor == "postgresql" else ""
    pairs = "\nUNION ALL\n".join(
        f"SELECT {i} AS k, s_{PREVIOUS[s]}{epoch} AS d1, s_{s}{epoch} AS d2, COUNT(*) AS n "
        "FROM steps "
        f"WHERE s_{s} IS NOT NULL AND s_{PREVIOUS[s]} IS NOT NULL GROUP BY s_{PREVIOUS[s]}, s_{s}"
        for i, s in enumerate(STEPS)
        if s in PREVIOUS
    )
    count_rows = f"""
SELECT -1 AS k, provider_id, package_id, NULL AS d1, NULL AS d2, COUNT(*) AS n, {reached_keys}
FROM flags GROUP BY provider_id, package_id, {reached_keys}
UNION ALL"""
    return f"""
WITH steps AS MATERIALIZED (
    SELECT provider_id, package_id,
{step_columns}
    FROM {source}
    WHERE filed_on >= %(start)s AND filed_on < %(end)s{extra}
),
flags AS (
    SELECT provider_id, package_id, {reached} FROM steps
)
{count_rows if counts else ""}
SELECT k, NULL, NULL, d1, d2, n, {", ".join("NULL" for _s in STEPS)} FROM (
{pairs}
) pairs
"""


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _closed_days(start: dt.date, end: dt.date) -> list[dt.date]:
    calendar = default_calendar()
    out, d = [], start
    while d <= end:
        if d.weekday() < 5 and not calendar.is_working_day(d):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def _weighted_median(values: np.ndarray, weights: np.ndarray):
    if not weights.sum():
        return None
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    total = cum[-1]
    lo = v[np.searchsorted(cum, (total + 1) // 2 - 1, side="right")]
    hi = v[np.searchsorted(cum, total // 2, side="right")]
    m = (float(lo) + float(hi)) / 2
    return int(m) if m.is_integer() else round(m, 1)


def _reach(flags: dict[str, int]) -> dict[str, bool]:
    """Which steps a file reached: its own rows, and the chain steps implied by a later one."""
    reached = {s: bool(flags[s]) for s in STEPS}
    later = False
    for s in reversed(STEPS):
        if s in OPTIONAL:
            continue
        later = later or reached[s]
        reached[s] = later
    return reached


def _steps_json(counts: dict[str, int], moved: dict[str, int], medians: dict[str, object]):
    out = []
    for i, s in enumerate(STEPS):
        n = counts[s]
        nxt = STEPS[i + 1] if i + 1 < len(STEPS) else None
        out.append(
            {
                "step": s,
                "reached": n,
                "moved_on_share": (round(moved[s] / n, 4) if n else None) if nxt else None,
                "median_working_days": medians.get(s),
            }
        )
    return out


def _rows(year: int, provider_id, package_id) -> list[tuple]:
    """The rows of `_sql`. On PostgreSQL the counts from the summaries, and the pairs of dates of
    the scheme's funnel too (a few thousand rows whatever the year's size); one provider's or
    package's pairs from the year's file steps. On SQLite the history folded at the call."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    params = {"start": start, "end": end, "provider": provider_id, "package": package_id}
    if not summaries.enabled():
        with connection.cursor() as cur:
            cur.execute(_sql(provider_id, package_id), params)
            return cur.fetchall()
    rows = _summary_counts(year, provider_id, package_id)
    if provider_id is None and package_id is None:
        return rows + _summary_pairs(year)
    with connection.cursor() as cur:
        cur.execute(_sql(provider_id, package_id, counts=False), params)
        return rows + cur.fetchall()


def _summary_counts(year: int, provider_id, package_id) -> list[tuple]:
    counts = FunnelCount.objects.filter(year=year)
    if provider_id is not None:
        counts = counts.filter(provider_id=provider_id)
    if package_id is not None:
        counts = counts.filter(package_id=package_id)
    return [
        (-1, pid, pkg, None, None, n, *((reached >> i) & 1 for i in range(len(STEPS))))
        for pid, pkg, reached, n in counts.values("provider_id", "package_id", "reached")
        .annotate(total=Sum("n"))  # over the slots
        .exclude(total=0)
        .values_list("provider_id", "package_id", "reached", "total")
    ]


def _summary_pairs(year: int) -> list[tuple]:
    no_flags = (None,) * len(STEPS)
    # Thousands of pairs: the dates as days since 1970 (numpy takes them as they are), read
    # without the ORM's per-row work.
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT step, previous_on - DATE '1970-01-01', reached_on - DATE '1970-01-01', "
            f"sum(n)::bigint FROM {FunnelPair._meta.db_table} WHERE year = %s "
            "GROUP BY step, previous_on, reached_on HAVING sum(n) <> 0",
            [year],
        )
        return [(k, None, None, d1, d2, n, *no_flags) for k, d1, d2, n in cur.fetchall()]


def funnel(year: int, provider=None, package=None) -> dict:
    """The funnel of the files filed in `year`, optionally of one provider and/or package:
    {"year", "steps": [...], "by_provider": {code: {step: n}}, "by_package": {code: {step: n}}}."""
    rows = _rows(year, getattr(provider, "pk", provider), getattr(package, "pk", package))
    provider_code = dict(ServiceProvider.objects.values_list("pk", "code"))
    package_code = dict(Package.objects.values_list("pk", "code"))
    counts = dict.fromkeys(STEPS, 0)
    moved = dict.fromkeys(STEPS, 0)
    by_provider: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STEPS, 0))
    by_package: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STEPS, 0))
    pairs: dict[int, list[tuple]] = defaultdict(list)
    # Two kinds of rows (one UNION, typed column by column): k = -1 counts the files per
    # provider, package and steps reached; k >= 0 counts the files per pair of step dates.
    for k, pid, pkg, d1, d2, n, *flag_values in rows:
        if k != -1:
            pairs[k].append((d1, d2, n))
            continue
        reached = _reach(dict(zip(STEPS, flag_values, strict=True)))
        for i, s in enumerate(STEPS):
            if not reached[s]:
                continue
            counts[s] += n
            by_provider[provider_code.get(pid, str(pid))][s] += n
            by_package[package_code.get(pkg, str(pkg))][s] += n
            if i + 1 < len(STEPS) and reached[STEPS[i + 1]]:
                moved[s] += n
    medians = _medians(pairs)
    return {
        "year": year,
        "steps": _steps_json(counts, moved, medians),
        "by_provider": {code: by_provider[code] for code in sorted(by_provider)},
        "by_package": {code: by_package[code] for code in sorted(by_package)},
    }


def _days(values: list) -> np.ndarray:
    """datetime64[D] of dates, ISO strings (SQLite) or days since 1970-01-01 (the summaries)."""
    if values and isinstance(values[0], int):
        return np.array(values, dtype=np.int64).astype("datetime64[D]")
    return np.array([_as_date(v) for v in values], dtype="datetime64[D]")


def _medians(pairs: dict[int, list[tuple]]) -> dict[str, object]:
    columns = {}
    for k, rows in pairs.items():
        d1, d2, n = zip(*rows, strict=True)
        columns[k] = (_days(list(d1)), _days(list(d2)), np.array(n, dtype=np.int64))
    if not columns:
        return {}
    first = min(c[0].min() for c in columns.values()).astype(dt.date)
    last = max(c[1].max() for c in columns.values()).astype(dt.date)
    holidays = np.array(_closed_days(first, last), dtype="datetime64[D]")
    medians = {}
    for k, (d1, d2, n) in columns.items():
        # Working days in (d1, d2]: busday_count counts [begin, end).
        days = np.maximum(np.busday_count(d1 + 1, d2 + 1, holidays=holidays), 0)
        medians[STEPS[k]] = _weighted_median(days, n)
    return medians
