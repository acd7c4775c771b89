"""Fixtures of the web tests."""

from __future__ import annotations

from decimal import Decimal

import pytest


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
