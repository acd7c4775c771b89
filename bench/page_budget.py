"""Server time and query count of every page of the portal and the back office, the staff's work
lists included, with 100,000 open files and 1,000,000 historical files on PostgreSQL (issue 21).

Creates its own database (default csg_page_budget), migrates it, generates and imports the
history (bench/generate_history.py, the real import), adds 100,000 open files by bulk_create
(bench/queue_bench.py's fill) and a few thousand files after approval (amendments, final reports
and payments that wait for staff), then renders each page 20 times with Django's test Client and
prints the median and p95 server time and the number of queries. The list pages are measured at
25 and at 100 rows per page: the query count must not change. Target: every page < 300 ms.

    python bench/page_budget.py [--history 1000000] [--open 100000] [--runs 20] [--keep]
    python bench/page_budget.py --reuse          # measure again on a kept database

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
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--amendments", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--after", type=int, default=3_000, help="files per after-approval list")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", default="csg_page_budget")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--only", default="", help="measure only the pages whose name has this")
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
            with tempfile.TemporaryDirectory() as folder:
                import generate_history

                generate_history.main(
                    [
                        folder,
                        "--applications",
                        str(args.history),
                        "--amendments",
                        str(args.amendments),
                    ]
                )
                call_command("import_history", folder, no_progress=True)
            print(f"history: {args.history:,} files imported in {time.perf_counter() - t0:.0f} s")
            t0 = time.perf_counter()
            import queue_bench

            queue_bench.fill(args.open, 10)
            fill_after(args.after)
            print(f"open files and work lists filled in {time.perf_counter() - t0:.0f} s")
        measure(args.runs, args.only)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            subprocess.run(
                ["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db], check=True
            )


def fill_after(n: int) -> None:
    """Files after approval that wait for staff: n running files with an amendment waiting, n
    completed files whose final report waits for review, n whose payment waits. Plus the staff
    users of every role."""
    from django.db import connection, transaction

    from csgrants.accounts.models import Role, User
    from csgrants.applications.models import (
        Amendment,
        Application,
        FinalReport,
        Status,
        StatusChange,
    )
    from csgrants.catalogue.models import Package, ServiceProvider

    rng = random.Random(7)
    today = dt.date.today()
    User.objects.create_user("bench-budget", password="x" * 16, role=Role.BUDGET_MANAGER)
    User.objects.create_user("bench-analyst", password="x" * 16, role=Role.ANALYST)
    User.objects.create_user(
        "bench-admin", password="x" * 16, role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    extension = Package.objects.get(code="EXTENSION")
    providers = list(ServiceProvider.objects.filter(code__startswith="B"))
    template = Application.objects.filter(status=Status.SUBMITTED).first()
    with transaction.atomic():
        made = []
        for kind, status in (
            ("amend", Status.IN_PROGRESS),
            ("report", Status.COMPLETED),
            ("pay", Status.COMPLETED),
        ):
            for i in range(n):
                made.append(
                    (
                        kind,
                        Application(
                            reference=f"CS-AFTER-{kind}-{i:06d}",
                            provider=providers[i % len(providers)],
                            enterprise_id=template.enterprise_id,
                            enterprise_kind="kmo",
                            postal_code=template.postal_code,
                            province=template.province,
                            package=template.package,
                            current_package=template.package,
                            cost_eur=Decimal(24000),
                            rate_pct=Decimal(50),
                            subsidy_eur=Decimal(12000),
                            policy=template.policy,
                            status=status,
                            submitted_on=today - dt.timedelta(days=400),
                            decision_due_on=today - dt.timedelta(days=386),
                            decided_on=today - dt.timedelta(days=390),
                        ),
                    )
                )
        apps = Application.objects.bulk_create([a for _, a in made], batch_size=5000)
        now = dt.datetime.now(dt.UTC)
        StatusChange.objects.bulk_create(
            (
                StatusChange(
                    application=a,
                    from_status=Status.APPROVED,
                    to_status=Status.IN_PROGRESS,
                    actor_label="bench",
                    at=now,
                    on=today - dt.timedelta(days=380),
                )
                for a in apps
            ),
            batch_size=5000,
        )
        amendments, reports = [], []
        for (kind, _), app in zip(made, apps, strict=True):
            since = today - dt.timedelta(days=rng.randint(0, 30))
            if kind == "amend":
                amendments.append(
                    Amendment(
                        application=app,
                        kind="extension",
                        package=extension,
                        extra_cost_eur=Decimal(6000),
                        extra_subsidy_eur=Decimal(3000),
                        requested_on=since,
                    )
                )
            else:
                reports.append(
                    FinalReport(
                        application=app,
                        status="submitted" if kind == "report" else "accepted",
                        work_delivered="-",
                        actual_cost_eur=Decimal(23000),
                        made_progress=True,
                        keep_investing=True,
                        satisfaction_score=4,
                        submitted_on=since,
                        reviewed_on=None if kind == "report" else since,
                    )
                )
        Amendment.objects.bulk_create(amendments, batch_size=5000)
        FinalReport.objects.bulk_create(reports, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def pages():
    """(role, page, url[, url at 100 rows per page]) for every page of the portal and the back
    office: the lists, a file of each kind, the forms, the budget, the statistics, the account."""
    from csgrants.applications.models import Application, Status
    from csgrants.catalogue.models import ServiceProvider
    from csgrants.web.worklists import WORK_LISTS

    open_file = Application.objects.filter(status=Status.SUBMITTED).order_by("id").first()
    own = Application.objects.filter(provider__code="B00").order_by("id").first()
    closed = Application.objects.filter(imported=True, status=Status.CLOSED).order_by("id").first()
    running = Application.objects.filter(reference__startswith="CS-AFTER-amend").first()
    provider = ServiceProvider.objects.get(code="B00")
    out = [
        ("anonymous", "login", "/login/", None),
        ("anonymous", "password reset", "/wachtwoord/vergeten/", None),
        ("anonymous", "error page 404", "/bestaat-niet/", None),
        ("provider", "my files", "/dossiers/", "/dossiers/?per_page=100"),
        ("provider", "my files, search", f"/dossiers/?q={own.enterprise.name}", None),
        ("provider", "new application", "/dossiers/nieuw/", None),
        ("provider", "own file", f"/dossiers/{own.reference}/", None),
        ("provider", "receipt", f"/dossiers/{own.reference}/ontvangstbewijs/", None),
        ("provider", "my account", "/mijn-account/", None),
        ("reviewer", "work lists (home)", "/werk/", None),
    ]
    for work in WORK_LISTS:
        out.append(
            (
                "reviewer",
                f"work list: {work.slug}",
                f"/werk/{work.slug}/",
                f"/werk/{work.slug}/?per_page=100",
            )
        )
    out += [
        (
            "reviewer",
            "search by reference",
            f"/werk/zoeken/?q={closed.reference}",
            None,
        ),
        ("reviewer", "search by name", "/werk/zoeken/?q=Onderneming%2012345", None),
        ("reviewer", "search by number", f"/werk/zoeken/?q={closed.enterprise.number}", None),
        ("reviewer", "review queue", "/wachtrij/", "/wachtrij/?per_page=100"),
        ("reviewer", "review queue, checks failed", "/wachtrij/?outcome=fail", None),
        ("reviewer", "open file", f"/wachtrij/{open_file.reference}/", None),
        ("reviewer", "running file", f"/wachtrij/{running.reference}/", None),
        ("reviewer", "imported closed file", f"/wachtrij/{closed.reference}/", None),
        ("budget", "work lists (home)", "/werk/", None),
        ("budget", "payments to make", "/werk/betalingen/", "/werk/betalingen/?per_page=100"),
        ("budget", "budget overview", "/budget/", None),
        ("budget", "provider budget", f"/budget/dienstverlener/{provider.pk}/", None),
        ("budget", "ledger", f"/budget/grootboek/?provider={provider.pk}", None),
        ("analyst", "statistics", "/statistieken/", None),
        # The default shows the last two years with data; these are the history's largest.
        ("analyst", "statistics 2023-2024", "/statistieken/?year=2023&year=2024", None),
        ("analyst", "statistics, one provider", "/statistieken/?provider=P09", None),
        (
            "analyst",
            "statistics, one provider 2023-24",
            "/statistieken/?provider=P09&year=2023&year=2024",
            None,
        ),
        ("admin", "administration", "/admin/", None),
    ]
    return out


def _time(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up: templates, translations, connection, reference data
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code in (200, 404), (url, response.status_code)
        times.append(elapsed)
        queries = len(ctx.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, queries


def measure(runs: int, only: str = "") -> None:
    from django.test import Client

    from csgrants.accounts.models import User
    from csgrants.applications.models import Application

    users = {
        "provider": "bench-provider",
        "reviewer": "bench-reviewer",
        "budget": "bench-budget",
        "analyst": "bench-analyst",
        "admin": "bench-admin",
    }
    print(
        f"files: {Application.objects.count():,} "
        f"({Application.objects.filter(imported=True).count():,} historical); {runs} runs a page"
    )
    header = f"{'role':9} {'page':30} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'q@100':>6}"
    print(header)
    print("-" * len(header))
    worst, failures = 0.0, []
    for role, name, url, url_100 in pages():
        if only not in name:
            continue
        client = Client()
        if role != "anonymous":
            client.force_login(User.objects.get(username=users[role]))
        median, p95, queries = _time(client, url, runs)
        q100 = ""
        if url_100:
            _m, _p, q = _time(client, url_100, 3)
            q100 = str(q)
            if q != queries:
                failures.append(f"{name}: {queries} queries at 25 rows, {q} at 100")
        worst = max(worst, median)
        if median >= TARGET_MS:
            failures.append(f"{name}: median {median:.0f} ms")
        print(f"{role:9} {name:30} {median:9.1f} {p95:7.1f} {queries:7d} {q100:>6}")
    print(f"target: every page < {TARGET_MS} ms median, the same queries at 25 and 100 rows")
    print("met" if not failures else "NOT met: " + "; ".join(failures))


if __name__ == "__main__":
    main()
