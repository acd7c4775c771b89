"""``manage.py check_eligibility sme FILE.json`` / ``de-minimis FILE.json``.

The command-line face of shared/contracts/eligibility.md: reads the contract's JSON from a file
(``-`` for standard input), prints the contract's JSON answer on standard output and exits 0
whatever the verdict. Input that does not fit the contract, a file that cannot be read or that
is not JSON exits 2 with a message on standard error that names the field or the file. The same
functions answer the API and the automated checks, so all three agree.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from csgrants.eligibility import (
    EligibilityInputError,
    evaluate_de_minimis_json,
    evaluate_sme_json,
)

EVALUATORS = {"sme": evaluate_sme_json, "de-minimis": evaluate_de_minimis_json}
INPUT_ERROR = 2


class Command(BaseCommand):
    help = (
        "Answer the SME definition or the de minimis check for a JSON file in the format of the "
        "eligibility contract ('-' reads standard input). Prints the JSON answer; exit 0 whatever "
        "the verdict, 2 for input that does not fit."
    )
    # A pure calculation: it touches neither the database nor anything a system check guards.
    requires_system_checks: list[str] = []
    # call_command(..., stdin=io.StringIO(...)) in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("check", choices=sorted(EVALUATORS), help="which check to run")
        parser.add_argument("file", help="JSON file with the request, or - for standard input")
        parser.add_argument(
            "--lang",
            choices=["nl", "en"],
            default="nl",
            help="language of the reasons (default nl)",
        )

    def handle(self, *args, **options):
        data = self._read(options["file"], options.get("stdin"))
        try:
            # The input errors in the language of the reasons, like the API and the web pages.
            with translation.override(options["lang"]):
                answer = EVALUATORS[options["check"]](data, lang=options["lang"])
        except EligibilityInputError as error:
            lines = "\n".join(f"  {field}: {message}" for field, message in error.errors)
            raise CommandError(
                f"the input does not fit the eligibility contract:\n{lines}",
                returncode=INPUT_ERROR,
            )
        self.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False))

    def _read(self, path: str, stdin=None):
        name = "standard input" if path == "-" else path
        try:
            if path == "-":
                text = (stdin or sys.stdin).read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {name}: {error}", returncode=INPUT_ERROR)
        try:
            # Decimal for numbers with a fraction, so that 0.1 stays 0.1 on the way in.
            return json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError) as error:
            raise CommandError(f"{name} is not valid JSON: {error}", returncode=INPUT_ERROR)
