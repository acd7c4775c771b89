"""Benchmark of the history import and the yearly report on PostgreSQL, in its own database.

    python bench/report_bench.py [--applications 1000000] [--amendments 100000] [--runs 7]
                                 [--data /tmp/csgrants-bench-history] [--db NAME] [--keep-db]

1. generates the history (bench/generate_history.py, in a subprocess so its memory does not
   count) unless the folder already holds it;
2. creates a fresh database (`--db`, default `csg_stats_bench`), migrates it, and times `history_import` of the
   folder in this process: rows/s over all three files and peak RSS (resource.getrusage);
3. VACUUM ANALYZE (what autovacuum does shortly after a bulk load), then times, interleaved and
   several times, the two-year JSON report (`render_json(build_report([y1, y2]))`) against
   `SELECT count(*), sum(cost_eur)` over the applications table, and prints medians and the
   ratio (the contract: at most 3x);
4. times the policy insight (issue 24, target < 1 s each): the budget runway of every provider
   and the scheme on `--as-of` (default 2024-12-01, the last month of the generated history),
   and the funnel of one year (`--funnel-year`, default the last of `--years`);
5. drops the database unless --keep-db (or --report-only, which reuses a kept one).

On PostgreSQL the report reads the trigger-kept summaries (reporting.summaries), so the import
figure includes keeping them. A database imported before the summaries' migration gets them with
`manage.py migrate` (which computes them once) or `manage.py rebuild_report_summary`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "csg_stats_bench"  # override with --db when several people benchmark on one server
PG = "postgres://postgres@127.0.0.1:5432"


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applications", type=int, default=1_000_000)
    ap.add_argument("--amendments", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--data", default="/tmp/csgrants-bench-history")
    ap.add_argument("--years", nargs=2, type=int, default=[2021, 2022])
    ap.add_argument("--as-of", default="2024-12-01", help="day of the runway (YYYY-MM-DD)")
    ap.add_argument("--funnel-year", type=int, help="year of the funnel (default: last of --years)")
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--db", default=DB, help=f"database to (re)create and use (default {DB})")
    ap.add_argument(
        "--report-only", action="store_true", help="reuse the kept database; time the report only"
    )
    args = ap.parse_args()

    data = Path(args.data)
    if not (data / "applications.csv").exists():
        t = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate_history.py"),
                str(data),
                "--applications",
                str(args.applications),
                "--amendments",
                str(args.amendments),
            ],
            check=True,
        )
        print(f"generated in {time.monotonic() - t:.0f} s")

    if not args.report_only:
        psql(f"DROP DATABASE IF EXISTS {args.db}")
        psql(f"CREATE DATABASE {args.db}")
    os.environ["DATABASE_URL"] = f"{PG}/{args.db}"
    os.environ["DEBUG"] = "False"  # DEBUG keeps every query in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csgrants.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        from csgrants.imports.services import history_import
        from csgrants.reporting.renderers import render_json
        from csgrants.reporting.selectors import build_report

        if not args.report_only:
            run_import(history_import, data)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            cur.execute("SELECT count(*) FROM applications_application")
            print(f"applications in the table: {cur.fetchone()[0]:,}")
        time_report(args, connection, build_report, render_json)
        time_insight(args)
    finally:
        connection.close()
        if not (args.keep_db or args.report_only):  # --report-only times a kept database: keep it
            psql(f"DROP DATABASE IF EXISTS {args.db}")


def run_import(history_import, data):
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.monotonic()
    summary = history_import(data, progress=sys.stderr.isatty())
    seconds = time.monotonic() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = summary.rows
    print(f"import: {summary}")
    print(
        f"import: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s; "
        f"peak RSS {peak:.0f} MB (before the import {rss_before:.0f} MB); {_load()}"
    )


def time_report(args, connection, build_report, render_json):

    def baseline():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*), sum(cost_eur) FROM applications_application")
            cur.fetchall()

    def report():
        render_json(build_report(args.years))

    baseline()
    report()  # warm the caches for both
    base_times, report_times = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        baseline()
        base_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        report()
        report_times.append(time.perf_counter() - t)
    b, r = statistics.median(base_times), statistics.median(report_times)
    print(
        f"baseline SELECT count(*), sum(cost_eur): median {b * 1000:.0f} ms "
        f"(runs: {', '.join(f'{x * 1000:.0f}' for x in base_times)})"
    )
    print(
        f"build_report({args.years}) + JSON: median {r * 1000:.0f} ms "
        f"(runs: {', '.join(f'{x * 1000:.0f}' for x in report_times)})"
    )
    print(f"ratio report / baseline: {r / b:.2f} (contract: <= 3); {_load()}")


def time_insight(args):
    """The runway of all providers and the funnel of one year, each against its 1 s target."""
    import datetime as dt

    from csgrants.reporting.funnel import funnel
    from csgrants.reporting.runway import runway

    as_of = dt.date.fromisoformat(args.as_of)
    year = args.funnel_year or args.years[-1]

    def run_runway():
        return runway(as_of).as_json()

    def run_funnel():
        return funnel(year)

    for name, fn in (
        (f"runway(all providers, {as_of})", run_runway),
        (f"funnel({year})", run_funnel),
    ):
        first = fn()  # warm the caches
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        m = statistics.median(times)
        print(
            f"{name}: median {m * 1000:.0f} ms (runs: {', '.join(f'{x * 1000:.0f}' for x in times)}); "
            f"target < 1000 ms: {'met' if m < 1 else 'NOT met'}; {_load()}"
        )
        if name.startswith("runway"):
            flagged = sum(1 for p in first["providers"] if p["reason"] is None)
            print(
                f"  {len(first['providers'])} providers, {flagged} with a forecast; total {first['total']['exhaustion']}"
            )
        else:
            print("  " + ", ".join(f"{s['step']} {s['reached']}" for s in first["steps"]))


def _load() -> str:
    """The machine's load average: the figures mean little on a busy machine without it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


if __name__ == "__main__":
    main()
