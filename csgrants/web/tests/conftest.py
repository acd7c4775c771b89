"""Fixtures of the web tests. Until the eligibility rules (issue 2) are on main, the modules that
applications/checks.py and applications/declaration.py import are replaced by permissive stand-ins
so that the screens can be driven end to end; with the real modules present nothing is replaced."""

from __future__ import annotations

import importlib
import sys
import types
from dataclasses import dataclass, field
from decimal import Decimal

import pytest


def _install_eligibility_stand_ins() -> None:
    try:
        importlib.import_module("csgrants.eligibility.parsing")
    except ImportError:
        parsing = types.ModuleType("csgrants.eligibility.parsing")

        class EligibilityInputError(ValueError):
            def __init__(self, errors):
                self.errors = errors
                super().__init__(str(errors))

        parsing.EligibilityInputError = EligibilityInputError
        parsing.parse_sme_input = lambda data: data
        parsing.parse_de_minimis_input = lambda data: data
        sys.modules["csgrants.eligibility.parsing"] = parsing
    try:
        importlib.import_module("csgrants.eligibility.checks")
    except ImportError:
        checks = types.ModuleType("csgrants.eligibility.checks")

        @dataclass
        class CheckOutcome:
            code: str
            outcome: str
            message_nl: str
            message_en: str
            inputs: dict = field(default_factory=dict)

        def _check(code):
            def run(*args, **kwargs):
                return CheckOutcome(code, "pass", f"{code} in orde", f"{code} passed")

            return run

        checks.CheckOutcome = CheckOutcome
        for name, code in [
            ("check_enterprise_number", "ENTERPRISE_NUMBER"),
            ("check_kind_admitted", "KIND_ADMITTED"),
            ("check_public_participation", "PUBLIC_PARTICIPATION"),
            ("check_negative_equity", "NEGATIVE_EQUITY"),
            ("check_flemish_region", "FLEMISH_REGION"),
            ("check_recent_trajectory", "RECENT_TRAJECTORY"),
            ("check_package_and_cost", "PACKAGE_COST"),
            ("check_de_minimis", "DE_MINIMIS"),
        ]:
            setattr(checks, name, _check(code))

        def check_sme(sme, kind):
            if sme is None:
                return CheckOutcome("SME", "warn", "Geen cijfers opgegeven", "No figures given")
            return CheckOutcome("SME", "pass", "Kmo", "SME")

        def check_budget_available(available, amount):
            if amount is not None and Decimal(available) < Decimal(amount):
                return CheckOutcome("BUDGET", "fail", "Budget ontoereikend", "Budget insufficient")
            return CheckOutcome("BUDGET", "pass", "Budget beschikbaar", "Budget available")

        checks.check_sme = check_sme
        checks.check_budget_available = check_budget_available
        sys.modules["csgrants.eligibility.checks"] = checks
    import csgrants.eligibility as package

    package.parsing = sys.modules["csgrants.eligibility.parsing"]
    package.checks = sys.modules["csgrants.eligibility.checks"]


_install_eligibility_stand_ins()


@pytest.fixture
def tariffs(provider):
    """Tariffs of Provider One: MEDIUM 24.000, PLUS 34.000, EXTENSION 6.000."""
    import datetime as dt

    from csgrants.catalogue.models import Package, Tariff

    for code, amount in (
        ("START", "12000.00"),
        ("MEDIUM", "24000.00"),
        ("PLUS", "34000.00"),
        ("EXTENSION", "6000.00"),
    ):
        Tariff.objects.create(
            provider=provider,
            package=Package.objects.get(code=code),
            amount_eur=Decimal(amount),
            valid_from=dt.date(2021, 1, 1),
        )
    return provider
