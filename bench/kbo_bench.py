"""import_kbo against a bare COPY of the same files, on PostgreSQL, in one run.

    createdb -h 127.0.0.1 -U postgres csg_kbo_bench
    python bench/generate_kbo.py /tmp/kbo_full              # full size, without activities
    python bench/kbo_bench.py /tmp/kbo_full --db postgres://postgres@127.0.0.1:5432/csg_kbo_bench

1. Every CSV file is read once so both runs start with the same page cache.
2. Plain COPY: each file streamed with COPY into a fresh table with the same column types and no
   index, constraint or default (scratch tables, dropped afterwards), in one transaction.
3. import_kbo (the same code as `manage.py import_kbo`) in a child process, which reports its
   peak RSS (getrusage ru_maxrss) and peak Python heap (tracemalloc).
Steps 2 and 3 alternate --repeat times; the best wall time of each counts. Because the machine
may be shared, the CPU seconds of the PostgreSQL backends (from /proc, the server runs locally;
for the import both its connections) and of the client are printed too: they depend much less
on what else runs. The import disables parallel index-build workers, so those seconds are all.
Target (issue 8): import <= 1.5 x plain COPY, peak memory < 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Column definitions exactly as the register stores them, without keys or indexes.
TABLES = {
    "code": "category varchar(40), code varchar(20), language varchar(2), description text",
    "enterprise": "enterprise_number varchar(12), status varchar(2), juridical_situation varchar(3), "
    "type_of_enterprise varchar(1), juridical_form varchar(3), juridical_form_cac varchar(3), start_date date",
    "establishment": "establishment_number varchar(13), start_date date, enterprise_number varchar(12)",
    "denomination": "entity_number varchar(13), language varchar(1), type_of_denomination varchar(3), "
    "denomination varchar(320)",
    "address": "entity_number varchar(13), type_of_address varchar(4), country_nl varchar(100), "
    "country_fr varchar(100), zipcode varchar(20), municipality_nl varchar(200), municipality_fr varchar(200), "
    "street_nl varchar(200), street_fr varchar(200), house_number varchar(22), box varchar(20), "
    "extra_address_info varchar(80), date_striking_off date",
    "contact": "entity_number varchar(13), entity_contact varchar(3), contact_type varchar(5), value varchar(254)",
    "activity": "entity_number varchar(13), activity_group varchar(3), nace_version varchar(4), "
    "nace_code varchar(7), classification varchar(4)",
    "branch": "id varchar(13), start_date date, enterprise_number varchar(12)",
}


def backend_cpu(pid: int) -> float:
    """utime + stime of a local PostgreSQL backend, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def files_of(dump: Path) -> list[Path]:
    return [dump / f"{name}.csv" for name in TABLES if (dump / f"{name}.csv").exists()]


def warm(files: list[Path]) -> None:
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(1 << 22):
                pass


def plain_copy(db: str, files: list[Path]) -> dict:
    import psycopg

    rows, per_file = {}, {}
    with psycopg.connect(db) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        cur.execute("SET datestyle = 'ISO, DMY'")
        cpu0, client0, t0 = backend_cpu(pid), time.process_time(), time.monotonic()
        for f in files:
            t = time.monotonic()
            table = f"bench_plain_{f.stem}"
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(f"CREATE TABLE {table} ({TABLES[f.stem]})")
            with (
                open(f, "rb") as fh,
                cur.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)") as cp,
            ):
                while chunk := fh.read(1 << 20):
                    cp.write(chunk)
            rows[f.name] = cur.rowcount
            per_file[f.name] = time.monotonic() - t
        conn.commit()
        result = {
            "wall": time.monotonic() - t0,
            "server_cpu": backend_cpu(pid) - cpu0,
            "client_cpu": time.process_time() - client0,
            "rows": rows,
            "per_file": per_file,
        }
        for f in files:
            cur.execute(f"DROP TABLE bench_plain_{f.stem}")
        conn.commit()
    return result


def child(dump: str) -> None:
    """Runs in the child process: import the dump, print figures as JSON on the last line."""
    import tracemalloc

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csgrants.settings.local")
    import django

    django.setup()
    from django.db import connection

    from csgrants.enterprises import kbo
    from csgrants.enterprises.services import kbo_import

    # The COPY runs on a second connection: note its backend's CPU when the import closes it.
    staging_cpu = []
    opener = kbo._staging_connection

    def staging_connection():
        conn = opener()
        pid = conn.info.backend_pid
        start = backend_cpu(pid)
        close = conn.close

        def closing():
            staging_cpu.append(backend_cpu(pid) - start)
            close()

        conn.close = closing
        return conn

    kbo._staging_connection = staging_connection
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    tracemalloc.start()
    cpu0, client0, t0 = backend_cpu(pid), time.process_time(), time.monotonic()
    result = kbo_import(actor=None, path=dump)
    wall = time.monotonic() - t0
    _, heap_peak = tracemalloc.get_traced_memory()
    print(
        json.dumps(
            {
                "wall": wall,
                "server_cpu": backend_cpu(pid) - cpu0 + sum(staging_cpu),
                "client_cpu": time.process_time() - client0,
                "staging_cpu": sum(staging_cpu),
                "rows": result.rows,
                "phases": result.phases,
                "skipped": result.skipped,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "peak_heap_mb": heap_peak / 1e6,
            }
        )
    )


def run_import(db: str, dump: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": db, "DJANGO_SETTINGS_MODULE": "csgrants.settings.local"}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(dump)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        sys.exit(f"import_kbo failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dump", help="folder of a full dump (bench/generate_kbo.py writes one)")
    parser.add_argument(
        "--db",
        default=os.environ.get("DATABASE_URL"),
        help="PostgreSQL URL (default $DATABASE_URL)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternating runs of each; the best time counts"
    )
    args = parser.parse_args()
    if not args.db or not args.db.startswith("postgres"):
        sys.exit("needs PostgreSQL: --db postgres://... or DATABASE_URL")
    dump = Path(args.dump)
    files = files_of(dump)
    env = {
        **os.environ,
        "DATABASE_URL": args.db,
        "DJANGO_SETTINGS_MODULE": "csgrants.settings.local",
    }
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True, cwd=ROOT
    )

    size = sum(f.stat().st_size for f in files)
    print(f"dump {dump}: {len(files)} files, {size / 1e6:.0f} MB")
    warm(files)
    plains, imports = [], []
    for i in range(args.repeat):
        plains.append(plain_copy(args.db, files))
        imports.append(run_import(args.db, dump))
        print(
            f"run {i + 1}: plain COPY {plains[-1]['wall']:.1f} s, import_kbo {imports[-1]['wall']:.1f} s",
            flush=True,
        )
    plain = min(plains, key=lambda r: r["wall"])
    imp = min(imports, key=lambda r: r["wall"])

    print(f"\n{'file':<20}{'rows':>14}{'plain COPY s':>14}")
    for name, n in plain["rows"].items():
        print(f"{name:<20}{n:>14,}{plain['per_file'][name]:>14.2f}")
    print(f"{'total':<20}{sum(plain['rows'].values()):>14,}")
    assert plain["rows"] == {k: v for k, v in imp["rows"].items() if k in plain["rows"]}, (
        "row counts differ"
    )
    print("\nimport_kbo phases:")
    for phase, seconds in imp["phases"]:
        print(f"  {phase:<42}{seconds:8.2f} s")
    ratio = imp["wall"] / plain["wall"]
    cpu_plain = plain["server_cpu"] + plain["client_cpu"]
    cpu_import = imp["server_cpu"] + imp["client_cpu"]
    peak = max(r["peak_rss_mb"] for r in imports)
    print(f"\n{'':<22}{'wall s':>9}{'server CPU s':>14}{'client CPU s':>14}")
    print(
        f"{'plain COPY':<22}{plain['wall']:>9.1f}{plain['server_cpu']:>14.1f}{plain['client_cpu']:>14.1f}"
    )
    print(
        f"{'import_kbo':<22}{imp['wall']:>9.1f}{imp['server_cpu']:>14.1f}{imp['client_cpu']:>14.1f}"
    )
    print(
        f"ratio wall           {ratio:6.2f} x  (target <= 1.5: {'OK' if ratio <= 1.5 else 'MISSED'})"
        f"   runs plain {[round(r['wall'], 1) for r in plains]} import {[round(r['wall'], 1) for r in imports]}"
    )
    print(f"ratio CPU            {cpu_import / cpu_plain:6.2f} x  (server + client CPU seconds)")
    print(
        f"peak RSS import      {peak:6.1f} MB (target < 400: {'OK' if peak < 400 else 'MISSED'}); "
        f"peak Python heap {max(r['peak_heap_mb'] for r in imports):.1f} MB"
    )
    print(f"load average         {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
