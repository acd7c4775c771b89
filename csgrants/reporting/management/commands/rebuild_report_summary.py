"""`python manage.py rebuild_report_summary [--check]`: recompute the report's summary tables
from the base tables (reporting.summaries), for recovery after changes the triggers did not see
(manual SQL with triggers disabled, TRUNCATE, a data-only restore). `--check` recomputes without
writing and lists the differences; exit status 1 when there are any."""

import json

from django.core.management.base import BaseCommand, CommandError

from csgrants.reporting import summaries


class Command(BaseCommand):
    help = "Recompute the report summaries from the base tables (PostgreSQL), or --check them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare the summaries with the base tables; write nothing; exit 1 on a difference",
        )

    def handle(self, *args, check=False, **options):
        if not summaries.enabled():
            self.stdout.write("The report summaries are kept on PostgreSQL only; nothing to do.")
            return
        if check:
            differences = summaries.check()
            if not differences:
                self.stdout.write("The report summaries match the base tables.")
                return
            for table, rows in differences.items():
                for row in rows:
                    self.stdout.write(f"{table}: {json.dumps(row, default=str)}")
            raise CommandError(
                f"the report summaries differ from the base tables ({', '.join(differences)}); "
                "run rebuild_report_summary without --check"
            )
        counts = summaries.rebuild()
        self.stdout.write(
            "Rebuilt the report summaries: "
            + ", ".join(f"{table} {n:,} rows" for table, n in counts.items())
        )
