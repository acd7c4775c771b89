"""`python manage.py import_history DIR`: load historical CSV files (see
shared/contracts/history-import.md). All or nothing; every error is printed as
`FILE:LINE: column: message` and the command exits non-zero."""

from django.core.management.base import BaseCommand, CommandError

from csgrants.imports.services import ImportFailed, history_import


class Command(BaseCommand):
    help = "Import historical applications, amendments and allocations from a folder of CSV files."

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", help="folder with applications.csv, amendments.csv and/or allocations.csv"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="do not show the progress bar"
        )

    def handle(self, *args, folder, no_progress=False, **options):
        try:
            summary = history_import(folder, actor=None, progress=not no_progress)
        except ImportFailed as exc:
            for line in exc.lines:
                self.stderr.write(line)
            raise CommandError(f"{len(exc.lines)} error(s); nothing was imported")
        self.stdout.write(str(summary))
