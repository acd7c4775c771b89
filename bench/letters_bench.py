"""Decision letters rendered per second by one task worker, and the size per letter.

Creates its own PostgreSQL database (default csg_letters_bench on 127.0.0.1), migrates it,
approves and rejects N files through the services with the database task backend (each decision
queues its letter job, as in production), then runs one worker (`db_worker --batch`, which
renders every queued job and sends its mail to the in-memory backend) and prints letters per
second and the PDF size per letter. Every provider user reads Dutch: one letter per decision.

    python bench/letters_bench.py [--files 200] [--db csg_letters_bench] [--keep]

Not run by `make test`. Drops the database at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--db", default="csg_letters_bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    subprocess.run(
        ["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db], check=True
    )
    subprocess.run(["createdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.host}:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csgrants.settings.test")

    import django
    from django.conf import settings

    # The test settings' immediate backend would render inside each decision: queue instead.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        decide(args.files)
        from csgrants.documents.models import Letter

        t0 = time.perf_counter()
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        elapsed = time.perf_counter() - t0
        sizes = list(Letter.objects.values_list("size", flat=True))
        print(f"letters rendered: {len(sizes)} by one worker in {elapsed:.1f} s")
        print(f"letters per second: {len(sizes) / elapsed:.2f}")
        print(
            f"size per letter: median {statistics.median(sizes) / 1024:.1f} KiB, "
            f"min {min(sizes) / 1024:.1f}, max {max(sizes) / 1024:.1f}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db])


def decide(n: int) -> None:
    from csgrants.accounts.models import Role, User
    from csgrants.applications import services
    from csgrants.applications.models import Decision
    from csgrants.budgets.services import allocation_create
    from csgrants.catalogue.models import ServiceProvider
    from csgrants.core import clock

    provider = ServiceProvider.objects.create(code="B1", name="Bench Provider BV")
    user = User.objects.create_user(
        "bench-provider", role=Role.PROVIDER, service_provider=provider, email="p@bench.example"
    )
    reviewer = User.objects.create_user("bench-reviewer", role=Role.REVIEWER)
    admin = User.objects.create_user("bench-admin", role=Role.ADMIN)
    allocation_create(
        actor=admin,
        provider=provider,
        amount_eur=Decimal("100000000"),
        allocated_on=dt.date(2024, 1, 1),
        kind="initial",
    )
    from stdnum.be import vat

    numbers = []
    candidate = 200_000_000
    while len(numbers) < n:
        candidate += 1
        number = f"0{candidate:09d}"[:8]
        number = number + f"{97 - int(number) % 97:02d}"
        if vat.is_valid(number):
            numbers.append(number)
    t0 = time.perf_counter()
    for i, number in enumerate(numbers):
        app = services.application_create(
            actor=user,
            provider=provider,
            enterprise_number=number,
            enterprise_name=f"Onderneming {i}",
            enterprise_kind="kmo",
            postal_code="9000",
            package="MEDIUM",
            cost_eur="24000.00",
            declaration={"negative_equity": False, "public_participation_pct": 0},
            submit=True,
        )
        if app.status == "submitted":
            outcome = Decision.Outcome.APPROVED if i % 4 else Decision.Outcome.REJECTED
            services.decision_record(
                actor=reviewer,
                application=app,
                outcome=outcome,
                reasons=[] if outcome == Decision.Outcome.APPROVED else ["NOT_SME"],
            )
    print(f"{n} decisions recorded in {time.perf_counter() - t0:.1f} s (letters queued)")
    del clock


if __name__ == "__main__":
    main()
