"""Fixtures of the budget tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest


@pytest.fixture
def allocate(admin_user):
    from csgrants.budgets.services import allocation_create

    def give(provider, amount, on=dt.date(2024, 1, 1), kind="initial", **kw):
        return allocation_create(
            actor=admin_user,
            provider=provider,
            amount_eur=Decimal(amount),
            allocated_on=on,
            kind=kind,
            **kw,
        )

    return give


def enterprise_number(k: int) -> str:
    """A valid KBO number (0xxx.xxx.xxx, checksum 97) for the k-th test enterprise."""
    base = 4_000_000 + k * 7919
    digits = f"{base:08d}{97 - base % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
