"""The budget runway for the statistics (contracts/insight.md): budgets.runway does the
forecast; here, on PostgreSQL, the positions on `as_of` come from the trigger-kept yearly ledger
summary plus the lines of `as_of`'s year, instead of every ledger line (a million files)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Min, Q, Sum

from csgrants.budgets import runway as budget_runway
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.runway import (  # noqa: F401 - the statistics' names for them
    EXHAUSTED,
    MAX_WEEKS,
    NO_COMMITMENTS,
    NOT_ENOUGH_HISTORY,
    WARNING_WEEKS,
    Forecast,
    Positions,
    Runway,
    forecast,
    ledger_positions,
    warns,
)
from csgrants.core.money import ZERO
from csgrants.reporting import summaries as summary_tables
from csgrants.reporting.models import LedgerSum


def summary_positions(as_of: dt.date) -> Positions:
    """budgets.runway.ledger_positions from the yearly ledger summary: the years before as_of's
    year from the summary (a few rows per provider), that year's lines from the ledger."""
    available: dict[int, Decimal] = {}
    first: dict[int, dt.date | None] = {}
    start = budget_runway.window_start(as_of)
    jan1 = dt.date(as_of.year, 1, 1)
    earlier = (
        LedgerSum.objects.filter(~Q(n=0), year__lt=as_of.year)
        .values("provider_id", "kind")
        .annotate(s=Sum("amount_eur"), y=Min("year"))
        .order_by()
    )
    first_year: dict[int, int] = {}
    for row in earlier:
        pid = row["provider_id"]
        sign = budget_runway.SIGNS[row["kind"]]
        available[pid] = available.get(pid, ZERO) + sign * (row["s"] or ZERO)
        first_year[pid] = min(first_year.get(pid, row["y"]), row["y"])
    for pid, y in first_year.items():
        if y < start.year:  # a line in a year before the window's: long enough
            first[pid] = None
    late = [pid for pid in first_year if pid not in first]
    if late:  # the window starts in the year before as_of's: that year's first line
        for row in (
            LedgerEntry.objects.filter(
                provider_id__in=late, entry_date__gte=dt.date(start.year, 1, 1), entry_date__lt=jan1
            )
            .order_by()
            .values("provider_id")
            .annotate(d=Min("entry_date"))
        ):
            first[row["provider_id"]] = row["d"]
    budget_runway.add_lines(
        LedgerEntry.objects.filter(entry_date__gte=jan1, entry_date__lte=as_of), available, first
    )
    budget_runway.trim_first(first, as_of)
    return available, first


def positions(as_of: dt.date) -> Positions:
    return summary_positions(as_of) if summary_tables.enabled() else ledger_positions(as_of)


def runway(as_of: dt.date, *, providers=None) -> Runway:
    return budget_runway.runway(as_of, providers=providers, positions=positions)
