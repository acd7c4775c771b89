from django.core.management.base import BaseCommand, CommandError

from csgrants.enterprises.kbo import KboImportError
from csgrants.enterprises.services import kbo_import


class Command(BaseCommand):
    help = (
        "Import a KBO/BCE open data dump (full or update, read from meta.csv), as a zip or a "
        "folder. Everything or nothing: a failed import leaves the register as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="KboOpenData_..._Full.zip / _Update.zip or an unpacked folder"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")

    def handle(self, *args, path, no_progress=False, **options):
        try:
            result = kbo_import(
                actor=None, path=path, progress=not no_progress and options["verbosity"] > 0
            )
        except KboImportError as exc:
            raise CommandError(f"KBO import failed, nothing was changed: {exc.message}")
        record = result.record
        self.stdout.write(
            f"KBO {record.kind} dump {record.extract_number or '?'} "
            f"(snapshot {record.snapshot_date or '?'}) imported in {result.seconds:.1f} s"
        )
        width = max((len(f) for f in result.rows), default=10)
        for filename, count in result.rows.items():
            self.stdout.write(f"  {filename:<{width}}  {count:>12,} rows")
        self.stdout.write(f"  {'total':<{width}}  {sum(result.rows.values()):>12,} rows")
        if options["verbosity"] > 1:
            for phase, seconds in result.phases:
                self.stdout.write(f"  {phase:<40} {seconds:8.2f} s")
        for filename in result.skipped:
            self.stdout.write(f"  {filename} is not in the dump: left unchanged")
