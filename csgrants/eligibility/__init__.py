"""Pure eligibility rules: the EU SME definition, de minimis and the other formal checks.

No Django, no database: frozen dataclasses in, outcomes with stable codes and Dutch or English
messages out (architecture.md, convention 5). The JSON contract is
``shared/contracts/eligibility.md``; ``evaluate_sme_json`` and ``evaluate_de_minimis_json`` are
the entry points that the API, the management command and the automated checks call.
"""

from .de_minimis import evaluate_de_minimis
from .errors import EligibilityInputError
from .parsing import parse_de_minimis_input, parse_sme_input
from .serialize import de_minimis_answer, evaluate_de_minimis_json, evaluate_sme_json, sme_answer
from .sme import evaluate_sme

__all__ = [
    "EligibilityInputError",
    "de_minimis_answer",
    "evaluate_de_minimis",
    "evaluate_de_minimis_json",
    "evaluate_sme",
    "evaluate_sme_json",
    "parse_de_minimis_input",
    "parse_sme_input",
    "sme_answer",
]
