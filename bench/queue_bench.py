"""Server time of the review queue and the provider list with 100,000 open applications.

Creates its own PostgreSQL database (default csg_web_bench on 127.0.0.1), migrates it, fills it
with bench data by bulk_create (the services are far too slow for 100,000 files and bench data
needs no audit trail), then renders both pages with Django's test Client several times and prints
the median and p95 server time and the number of queries. Target: < 300 ms.

    python bench/queue_bench.py [--rows 100000] [--runs 20] [--keep] [--db csg_web_bench]

Not run by `make test`. Drops the database at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--providers", type=int, default=10)
    parser.add_argument("--db", default="csg_web_bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a database filled by an earlier --keep run"
    )
    args = parser.parse_args()

    if not args.reuse:
        subprocess.run(
            ["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db], check=True
        )
        subprocess.run(["createdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.host}:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csgrants.settings.test")

    import django

    django.setup()
    from django.core.management import call_command

    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            t0 = time.perf_counter()
            fill(args.rows, args.providers)
            print(f"filled {args.rows:,} open applications in {time.perf_counter() - t0:.0f} s")
        measure(args.runs)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            subprocess.run(
                ["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db], check=True
            )


def fill(rows: int, n_providers: int) -> None:
    from django.db import connection, transaction

    from csgrants.accounts.models import Role, User
    from csgrants.applications.models import Application, CheckResult, CheckRun, Status
    from csgrants.catalogue.models import Package, PolicyVersion, ServiceProvider
    from csgrants.core.postal import province_for
    from csgrants.enterprises.models import Enterprise

    rng = random.Random(42)
    packages = list(Package.objects.filter(is_extension=False))
    policy = PolicyVersion.objects.order_by("-valid_from").first()
    providers = ServiceProvider.objects.bulk_create(
        ServiceProvider(code=f"B{i:02d}", name=f"Bench provider {i:02d}")
        for i in range(n_providers)
    )
    User.objects.create_user("bench-reviewer", password="x" * 16, role=Role.REVIEWER)
    User.objects.create_user(
        "bench-provider", password="x" * 16, role=Role.PROVIDER, service_provider=providers[0]
    )

    n_enterprises = max(1, rows // 2)
    postal = ["9000", "2000", "3500", "8500", "1500", "3000", "8000", "9300"]
    with transaction.atomic():
        enterprises = []
        for i in range(n_enterprises):
            base = 2_000_000 + i
            number = f"{base:08d}{97 - base % 97:02d}"
            pc = rng.choice(postal)
            enterprises.append(
                Enterprise(
                    number=f"{number[:4]}.{number[4:7]}.{number[7:]}",
                    name=f"Onderneming {i}",
                    postal_code=pc,
                    province=province_for(pc) or "",
                    region="flanders",
                )
            )
        enterprises = Enterprise.objects.bulk_create(enterprises, batch_size=5000)

        today = dt.date.today()
        apps = []
        for i in range(rows):
            package = rng.choice(packages)
            cost = Decimal(rng.choice([12000, 24000, 30000, 34000]))
            submitted = today - dt.timedelta(days=rng.randint(0, 30))
            pc = rng.choice(postal)
            apps.append(
                Application(
                    reference=f"CS-{submitted.year}-{i + 1:06d}",
                    provider=providers[i % n_providers],
                    enterprise=enterprises[i % n_enterprises],
                    enterprise_kind="kmo",
                    postal_code=pc,
                    province=province_for(pc) or "",
                    package=package,
                    current_package=package,
                    cost_eur=cost,
                    rate_pct=Decimal(50),
                    subsidy_eur=cost / 2,
                    policy=policy,
                    declaration={"negative_equity": False, "public_participation_pct": 0},
                    status=Status.INFO_REQUESTED if i % 7 == 0 else Status.SUBMITTED,
                    submitted_on=submitted,
                    decision_due_on=submitted + dt.timedelta(days=14 + rng.randint(-2, 4)),
                )
            )
        apps = Application.objects.bulk_create(apps, batch_size=5000)

        # One check run per file with a realistic spread of outcomes; four results per run keep
        # the bench data small while the subquery still has to pick the worst of several.
        runs = CheckRun.objects.bulk_create(
            (
                CheckRun(application=a, policy=policy, all_passed=(j % 3 == 0))
                for j, a in enumerate(apps)
            ),
            batch_size=5000,
        )
        results = []
        for j, run in enumerate(runs):
            outcomes = ["pass", "pass", "pass", "pass"]
            if j % 3 == 1:
                outcomes[1] = "warn"
            elif j % 3 == 2:
                outcomes[2] = "fail"
            for code, outcome in zip(
                ("SME", "DE_MINIMIS", "FLEMISH_REGION", "BUDGET"), outcomes, strict=True
            ):
                results.append(
                    CheckResult(run=run, code=code, outcome=outcome, message_nl="-", message_en="-")
                )
            if len(results) >= 20000:
                CheckResult.objects.bulk_create(results)
                results = []
        CheckResult.objects.bulk_create(results)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from csgrants.accounts.models import User
    from csgrants.applications.models import Application

    print(f"open applications: {Application.objects.count():,}")
    reviewer = User.objects.get(username="bench-reviewer")
    provider = User.objects.get(username="bench-provider")
    pages = [
        ("review queue, 25 per page", reviewer, "/wachtrij/"),
        ("review queue, 100 per page", reviewer, "/wachtrij/?per_page=100"),
        ("review queue, page 200", reviewer, "/wachtrij/?page=200"),
        ("review queue, checks failed", reviewer, "/wachtrij/?outcome=fail"),
        ("review queue, search", reviewer, "/wachtrij/?q=Onderneming%201234"),
        ("provider list, 25 per page", provider, "/dossiers/"),
        ("provider list, 100 per page", provider, "/dossiers/?per_page=100"),
        ("provider list, status filter", provider, "/dossiers/?status=info_requested"),
    ]
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    worst = 0.0
    for name, user, url in pages:
        client = Client()
        client.force_login(user)
        client.get(url)  # warm up: templates, translations, connection
        times = []
        queries = 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, (url, response.status_code)
            times.append(elapsed)
            queries = len(ctx.captured_queries)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"{name:32} {median:10.1f} {p95:8.1f} {queries:8d}")
    verdict = "met" if worst < 300 else "NOT met"
    print(f"target < 300 ms median: {verdict} (worst median {worst:.1f} ms)")


if __name__ == "__main__":
    main()
