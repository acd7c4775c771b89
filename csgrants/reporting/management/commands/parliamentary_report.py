"""`python manage.py parliamentary_report --years 2021 2022 [--format json|md|xlsx]
[--output FILE]`: the answer to the parliamentary question, from the data (contract:
shared/contracts/report.md). Markdown (Dutch) by default."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from csgrants.catalogue.models import ServiceProvider
from csgrants.reporting.insight import add_insight
from csgrants.reporting.renderers import labels_for, render_json, render_markdown, render_xlsx
from csgrants.reporting.selectors import build_report, next_year_allocated


class Command(BaseCommand):
    help = "Answer the parliamentary question about the scheme for the given years."

    def add_arguments(self, parser):
        parser.add_argument(
            "--years", nargs="+", type=int, required=True, help="e.g. --years 2021 2022"
        )
        parser.add_argument("--format", choices=["md", "json", "xlsx"], default="md")
        parser.add_argument("--output", help="write to this file instead of standard output")
        parser.add_argument("--provider", help="limit to one service provider (its code)")

    def handle(self, *args, years, format, output=None, provider=None, **options):
        prov = None
        if provider:
            prov = ServiceProvider.objects.filter(code=provider).first()
            if prov is None:
                raise CommandError(f"unknown service provider {provider!r}")
        report = add_insight(build_report(years, provider=prov), prov)
        if format == "json":
            content = render_json(report)
        else:
            labels = labels_for("nl")
            extra = next_year_allocated(max(years) + 1, provider=prov)
            if format == "md":
                content = render_markdown(
                    report,
                    labels,
                    next_year_allocated=extra,
                    provider_label=prov.name if prov else None,
                )
            else:
                content = render_xlsx(report, labels, next_year_allocated=extra)
        if isinstance(content, bytes):
            if not output:
                if sys.stdout.isatty():
                    raise CommandError("an XLSX workbook needs --output FILE")
                sys.stdout.buffer.write(content)
                return
            Path(output).write_bytes(content)
        elif output:
            Path(output).write_text(content, encoding="utf-8")
        else:
            self.stdout.write(content, ending="")
        if output:
            self.stderr.write(f"written to {output}")
