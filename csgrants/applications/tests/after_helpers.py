"""Helpers for the after-approval tests: frozen dates, a valid final report, a file taken to any
later state through the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day: dt.date, hour: int = 10):
    """Freeze time on `day` (Brussels office hours)."""
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=BRUSSELS), tick=False
    )


def maturity(before: int = 2, after: int = 4, **overrides) -> dict:
    scores = {
        f: {
            "documentation_before": before,
            "implementation_before": before,
            "documentation_after": after,
            "implementation_after": after,
        }
        for f in ("identify", "protect", "detect", "respond", "recover")
    }
    scores.update(overrides)
    return scores


def report_data(**overrides) -> dict:
    data = dict(
        work_delivered="Nulmeting, actieplan en begeleiding bij back-ups en MFA.",
        actual_cost_eur="24000.00",
        maturity=maturity(),
        made_progress=True,
        keep_investing=True,
        satisfaction_score=4,
        testimonial_consent=True,
        testimonial="Zeer tevreden.",
    )
    data.update(overrides)
    return data


def drain(provider, actor, *, leave, holder):
    """Commit the provider's budget down to `leave` euro, as a commitment of `holder` (another
    file: every ledger line needs a source)."""
    from decimal import Decimal

    from django.db import transaction

    from csgrants.budgets.selectors import provider_balance
    from csgrants.budgets.services import budget_commit

    with transaction.atomic():
        amount = provider_balance(provider).available - Decimal(leave)
        budget_commit(
            actor=actor,
            provider=provider,
            amount_eur=amount,
            on=dt.date(2023, 1, 2),
            application=holder,
        )
