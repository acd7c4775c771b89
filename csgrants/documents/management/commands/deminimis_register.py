"""The EU de minimis register feed (Regulation (EU) 2023/2831, art. 6).

    python manage.py deminimis_register export [--format csv|xlsx|json] [--output PATH]
    python manage.py deminimis_register acknowledge FILE.csv

`export` writes the entries not yet acknowledged, oldest due first (to stdout without
--output; xlsx needs --output). `acknowledge` reads the register's answer (columns reference,
kind, register_id, error): a register_id acknowledges the entry, an error marks it failed with
the message; failed entries stay in the export.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from csgrants.core.errors import DomainError
from csgrants.documents import deminimis


class Command(BaseCommand):
    help = "Export the de minimis register entries, or record the register's acknowledgement."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export")
        export.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
        export.add_argument("--output")
        ack = sub.add_parser("acknowledge")
        ack.add_argument("file")

    def handle(self, *args, **options):
        try:
            if options["action"] == "export":
                return self._export(options["format"], options.get("output"))
            return self._acknowledge(options["file"])
        except DomainError as exc:
            raise CommandError(str(exc))

    def _export(self, fmt, output):
        content = deminimis.export_bytes(fmt)
        if output:
            Path(output).write_bytes(content)
            count = deminimis.entries_to_export().count()
            self.stderr.write(f"{count} entries written to {output}")
        elif fmt == "xlsx":
            raise CommandError("--format xlsx needs --output")
        else:
            sys.stdout.flush()
            self.stdout.write(content.decode(), ending="")

    def _acknowledge(self, path):
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}")
        result = deminimis.register_acknowledge(text)
        self.stdout.write(
            f"acknowledged {result['acknowledged']}, failed {result['failed']}, "
            f"unmatched lines {result['unmatched'] or 'none'}"
        )
