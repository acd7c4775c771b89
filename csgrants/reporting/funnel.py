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

Performance: one SQL statement. The cohort comes from a partial index on the first history rows'
dates; the history rows of the cohort are folded to one row of step dates per file, and that
(materialised once) is grouped twice: by provider, package and which steps were reached (a
few thousand groups), and by pairs of dates per step (a few thousand per step). Working days are
counted by numpy over those pairs, not per file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db import connection

from csgrants.applications.models import Application, FinalReport, Status, StatusChange
from csgrants.applications.statuses import sql_list
from csgrants.catalogue.models import Package, ServiceProvider
from csgrants.core.calendar import default_calendar

STEPS = (
    "filed",
    "confirmed",
    "submitted",
    "decided",
    "approved",
    "started",
    "final_report_accepted",
    "paid",
)
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

# The history rows that mark each step (SQL over the alias h), from the status vocabulary.
_CASES = {
    "filed": "h.from_status = ''",
    "confirmed": f"h.from_status = '{Status.AWAITING_CONFIRMATION}' AND h.to_status = '{Status.SUBMITTED}'",
    "submitted": f"h.to_status = '{Status.SUBMITTED}'",
    "decided": f"h.to_status IN ({sql_list([Status.APPROVED, Status.REJECTED])})",
    "approved": f"h.to_status = '{Status.APPROVED}'",
    "started": f"h.to_status = '{Status.IN_PROGRESS}'",
    "paid": f"h.to_status = '{Status.CLOSED}'",
}


def _sql(provider_id, package_id) -> tuple[str, list]:
    q = connection.ops.quote_name
    hist, app, fr = (
        StatusChange._meta.db_table,
        Application._meta.db_table,
        FinalReport._meta.db_table,
    )
    on = q("on")
    cols = ",\n".join(
        f"MIN(CASE WHEN {cond} THEN h.{on} END) AS s_{step}" for step, cond in _CASES.items()
    )
    extra, params = "", []
    if provider_id is not None:
        extra += " AND a.provider_id = %s"
        params.append(provider_id)
    if package_id is not None:
        extra += " AND a.package_id = %s"
        params.append(package_id)
    reached = ", ".join(f"CASE WHEN s_{s} IS NULL THEN 0 ELSE 1 END AS r_{s}" for s in STEPS)
    reached_keys = ", ".join(f"r_{s}" for s in STEPS)
    pairs = "\nUNION ALL\n".join(
        f"SELECT {i} AS k, s_{PREVIOUS[s]} AS d1, s_{s} AS d2, COUNT(*) AS n FROM steps "
        f"WHERE s_{s} IS NOT NULL AND s_{PREVIOUS[s]} IS NOT NULL GROUP BY s_{PREVIOUS[s]}, s_{s}"
        for i, s in enumerate(STEPS)
        if s in PREVIOUS
    )
    sql = f"""
WITH per_file AS (
    SELECT a.id, a.provider_id, a.package_id,
{cols}
    FROM {hist} h JOIN {app} a ON a.id = h.application_id
    WHERE h.application_id IN (
        SELECT c.application_id FROM {hist} c
        WHERE c.from_status = '' AND c.{on} >= %s AND c.{on} < %s
    ){extra}
    GROUP BY a.id, a.provider_id, a.package_id
),
steps AS (
    SELECT p.*, COALESCE(f.d, p.s_paid) AS s_final_report_accepted
    FROM per_file p LEFT JOIN (
        SELECT application_id, MIN(reviewed_on) AS d FROM {fr}
        WHERE status = 'accepted' GROUP BY application_id
    ) f ON f.application_id = p.id
),
flags AS (
    SELECT provider_id, package_id, {reached} FROM steps
)
SELECT -1 AS k, provider_id, package_id, NULL AS d1, NULL AS d2, COUNT(*) AS n, {reached_keys}
FROM flags GROUP BY provider_id, package_id, {reached_keys}
UNION ALL
SELECT k, NULL, NULL, d1, d2, n, {", ".join("NULL" for _s in STEPS)} FROM (
{pairs}
) pairs
"""
    return sql, params


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


def funnel(year: int, provider=None, package=None) -> dict:
    """The funnel of the files filed in `year`, optionally of one provider and/or package:
    {"year", "steps": [...], "by_provider": {code: {step: n}}, "by_package": {code: {step: n}}}."""
    pid = getattr(provider, "pk", provider)
    pkg = getattr(package, "pk", package)
    sql, params = _sql(pid, pkg)
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    with connection.cursor() as cur:
        cur.execute(sql, [start, end, *params])
        rows = cur.fetchall()
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


def _medians(pairs: dict[int, list[tuple]]) -> dict[str, object]:
    all_dates = [_as_date(d) for rows in pairs.values() for d1, d2, _n in rows for d in (d1, d2)]
    if not all_dates:
        return {}
    holidays = np.array(_closed_days(min(all_dates), max(all_dates)), dtype="datetime64[D]")
    medians = {}
    for k, rows in pairs.items():
        d1 = np.array([_as_date(r[0]) for r in rows], dtype="datetime64[D]")
        d2 = np.array([_as_date(r[1]) for r in rows], dtype="datetime64[D]")
        n = np.array([r[2] for r in rows], dtype=np.int64)
        # Working days in (d1, d2]: busday_count counts [begin, end).
        days = np.busday_count(d1 + 1, d2 + 1, holidays=holidays)
        days = np.maximum(days, 0)
        medians[STEPS[k]] = _weighted_median(days, n)
    return medians
