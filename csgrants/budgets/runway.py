"""Budget runway (contracts/insight.md): when will each provider's available budget, and the
scheme's, run out if commitments go on as in the last 26 weeks?

The forecast, for one budget:

1. The **history** is the net amount committed in each of the last 26 weeks before `as_of`
   (commit lines, from approvals and approved amendments, minus release lines: withdrawals,
   stops, underspend at payment). Week 0 is the 7 days ending on `as_of`, week 1 the 7 days
   before, and so on. A budget whose first ledger line is more recent uses only the full weeks
   since that line.
2. With no budget left on `as_of` the answer is `exhausted` (all three dates are `as_of`). With
   fewer than 8 weeks of history the answer is `not_enough_history`; when the weeks together
   committed nothing (net of releases) it is `no_commitments`. Then there is no date.
3. Otherwise a **bootstrap**: 2,000 futures, each a sequence of weeks drawn at random (with
   replacement) from the history weeks; in each the budget runs out in the week the cumulated
   draws reach the available amount, at the fraction of that week the rest of the budget took.
   The 10th, 50th and 90th percentile of those moments, as dates, are P10, P50 and P90. The
   generator has a fixed seed: the same ledger and `as_of` always give the same dates. A future
   in which the budget lasts beyond 20 years counts as 20 years.

A steady provider (the same amount every week) gets exactly `as_of + available / weekly amount`
(to the day). For the scheme the weekly history is the sum of all providers' and the available
amount is the providers' available budget plus what is still free in the reserves.

What it cannot know: top-ups and new reserves to come, a change of rate or packages, a season
that the last 26 weeks did not contain, files now pending that would be approved in a burst, and
that a provider without money stops committing (the scheme's forecast pools the providers).

Performance: one grouped query over the ledger lines of the window (the `entry_date` index),
the positions on `as_of` (`positions`: here from the ledger lines; reporting.runway passes the
trigger-kept yearly ledger summary on PostgreSQL), and numpy for the futures
(bench/report_bench.py). It lives with the budgets so that the budget pages and the budget
managers' digest can warn; the statistics read it from here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Min, Sum

from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.selectors import reserves
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.money import ZERO

WINDOW_WEEKS = 26
MIN_WEEKS = 8
PATHS = 2000
MAX_WEEKS = 52 * 20
SEED = 20231001  # any fixed number: the answer must not depend on the run
WARNING_WEEKS = 8  # a provider whose P10 falls within this many weeks is flagged

NOT_ENOUGH_HISTORY = "not_enough_history"
NO_COMMITMENTS = "no_commitments"
EXHAUSTED = "exhausted"


@dataclass(frozen=True)
class Forecast:
    """One budget's runway. `exhaustion` is (p10, p50, p90) or None (then `reason` says why)."""

    available: Decimal
    weeks: int
    weekly: list[Decimal]  # net committed per history week, oldest first
    exhaustion: tuple[dt.date, dt.date, dt.date] | None
    reason: str | None

    @property
    def mean(self) -> Decimal:
        if not self.weeks:
            return ZERO
        return (sum(self.weekly, ZERO) / self.weeks).quantize(Decimal("0.01"))


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def simulate(samples: list[float], available: float) -> np.ndarray:
    """Weeks until `available` is used up, in each of PATHS bootstrap futures (fractional: the
    moment within the week). `samples` must have a positive sum."""
    data = np.asarray(samples, dtype=float)
    rng = np.random.default_rng(SEED)
    mean = float(data.mean())
    out = np.full(PATHS, float(MAX_WEEKS))
    cum = np.zeros(PATHS)
    active = np.arange(PATHS)
    done = 0
    # A first stretch long enough for nearly every future; the rest go on in further stretches.
    stretch = int(min(MAX_WEEKS, math.ceil(2 * available / mean) + WINDOW_WEEKS))
    while active.size and done < MAX_WEEKS:
        k = min(stretch, MAX_WEEKS - done)
        draws = data[rng.integers(0, data.size, size=(active.size, k))]
        path = cum[active, None] + np.cumsum(draws, axis=1)
        hit = path >= available
        reached = hit.any(axis=1)
        rows = np.nonzero(reached)[0]
        first = hit[rows].argmax(axis=1)
        before = np.where(
            first > 0, path[rows, np.maximum(first - 1, 0)], cum[active[rows]]
        )  # used before the week it ran out
        week = draws[rows, first]  # > 0: the path crossed upwards in it
        out[active[rows]] = done + first + (available - before) / week
        cum[active] = path[:, -1]
        active = active[~reached]
        done += k
    return out


def forecast(available: Decimal, weekly: list[Decimal], weeks: int, as_of: dt.date) -> Forecast:
    """The rules of the contract for one budget (see the module docstring)."""
    weekly = weekly[-weeks:] if weeks else []
    if available <= ZERO:
        return Forecast(available, weeks, weekly, (as_of, as_of, as_of), EXHAUSTED)
    if weeks < MIN_WEEKS:
        return Forecast(available, weeks, weekly, None, NOT_ENOUGH_HISTORY)
    if sum(weekly, ZERO) <= ZERO:
        return Forecast(available, weeks, weekly, None, NO_COMMITMENTS)
    times = simulate([float(w) for w in weekly], float(available))
    p10, p50, p90 = np.percentile(times, [10, 50, 90])
    dates = tuple(_after(as_of, round(float(p) * 7)) for p in (p10, p50, p90))
    return Forecast(available, weeks, weekly, dates, None)  # type: ignore[arg-type]


def _after(day: dt.date, days: int) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def as_json(f: Forecast) -> dict:
    return {
        "available_eur": _money(f.available),
        "weekly_commitments_eur": {"weeks": f.weeks, "mean": _money(f.mean)},
        "exhaustion": (
            None
            if f.exhaustion is None
            else dict(
                zip(("p10", "p50", "p90"), (d.isoformat() for d in f.exhaustion), strict=True)
            )
        ),
        "reason": f.reason,
    }


# --- reading the ledger ------------------------------------------------------------------------


def window_start(as_of: dt.date) -> dt.date:
    return as_of - dt.timedelta(days=7 * WINDOW_WEEKS - 1)


def _weekly_by_provider(as_of: dt.date) -> dict[int, list[Decimal]]:
    """provider id -> net committed per week, oldest first (WINDOW_WEEKS values)."""
    rows = (
        LedgerEntry.objects.filter(
            kind__in=["commit", "release"],
            entry_date__gte=window_start(as_of),
            entry_date__lte=as_of,
        )
        .order_by()
        .values("provider_id", "entry_date", "kind")
        .annotate(s=Sum("amount_eur"))
    )
    weekly: dict[int, list[Decimal]] = {}
    for row in rows:
        back = (as_of - row["entry_date"]).days // 7  # 0: the week ending on as_of
        values = weekly.setdefault(row["provider_id"], [ZERO] * WINDOW_WEEKS)
        sign = 1 if row["kind"] == "commit" else -1
        values[WINDOW_WEEKS - 1 - back] += sign * row["s"]
    return weekly


SIGNS = {"allocate": 1, "commit": -1, "release": 1, "realise": 0}

Positions = tuple[dict[int, Decimal], dict[int, dt.date | None]]


def ledger_positions(as_of: dt.date) -> Positions:
    """(provider id -> available on as_of, provider id -> date of its first ledger line, or None
    when that lies before the history window: then only "long enough" matters), from the lines."""
    available: dict[int, Decimal] = {}
    first: dict[int, dt.date | None] = {}
    lines = LedgerEntry.objects.filter(entry_date__lte=as_of)
    add_lines(lines, available, first)
    trim_first(first, as_of)
    return available, first


def add_lines(lines, available: dict[int, Decimal], first: dict[int, dt.date | None]) -> None:
    """Fold ledger lines into the positions: their signed sums and their first dates."""
    rows = (
        lines.order_by()
        .values("provider_id", "kind")
        .annotate(s=Sum("amount_eur"), d=Min("entry_date"))
    )
    for row in rows:
        pid = row["provider_id"]
        available[pid] = available.get(pid, ZERO) + SIGNS[row["kind"]] * row["s"]
        known = first.get(pid)
        if pid not in first or (known is not None and row["d"] < known):
            first[pid] = row["d"]


def trim_first(first: dict[int, dt.date | None], as_of: dt.date) -> None:
    start = window_start(as_of)
    for pid, d in list(first.items()):
        if d is not None and d < start:
            first[pid] = None


def history_weeks(first: dt.date | None, as_of: dt.date) -> int:
    if first is None:
        return WINDOW_WEEKS
    return min(WINDOW_WEEKS, ((as_of - first).days + 1) // 7)


def warns(f: Forecast, as_of: dt.date) -> bool:
    """Whether P10 falls within WARNING_WEEKS of as_of (an exhausted budget counts)."""
    return f.exhaustion is not None and f.exhaustion[0] <= as_of + dt.timedelta(weeks=WARNING_WEEKS)


@dataclass(frozen=True)
class Runway:
    as_of: dt.date
    providers: list[tuple[ServiceProvider, Forecast]]
    total: Forecast
    reserve_free: Decimal

    def warnings(self) -> list[tuple[ServiceProvider, Forecast]]:
        return [(p, f) for p, f in self.providers if warns(f, self.as_of)]

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "providers": [
                {"provider": p.code, "name": p.name, **as_json(f)} for p, f in self.providers
            ],
            "total": {**as_json(self.total), "reserve_free_eur": _money(self.reserve_free)},
        }


def _reserve_free(as_of: dt.date) -> Decimal:
    """What the reserves set aside by `as_of` still held on that day."""
    free = ZERO
    for r in reserves():
        if r.reserve.allocated_on <= as_of:
            assigned = sum((a.amount_eur for a in r.assignments if a.allocated_on <= as_of), ZERO)
            free += r.reserve.amount_eur - assigned
    return free


_positions_source: Callable[[dt.date], Positions] | None = None


def use_positions(source: Callable[[dt.date], Positions] | None) -> None:
    """Plug in a faster source of the positions (reporting, on PostgreSQL: the yearly summary)."""
    global _positions_source
    _positions_source = source


def runway(
    as_of: dt.date,
    *,
    providers=None,
    positions: Callable[[dt.date], Positions] | None = None,
) -> Runway:
    """The runway of every provider with ledger lines up to `as_of` (or of `providers`), and of
    the scheme. The positions come from `positions`, else from the plugged-in source, else from
    the ledger lines."""
    positions = positions or _positions_source or ledger_positions
    weekly = _weekly_by_provider(as_of)
    available, first = positions(as_of)
    wanted = ServiceProvider.objects.filter(pk__in=list(available)).order_by("code")
    if providers is not None:
        wanted = wanted.filter(pk__in=[getattr(p, "pk", p) for p in providers])
    result = []
    for p in wanted:
        weeks = history_weeks(first.get(p.pk), as_of)
        result.append(
            (
                p,
                forecast(
                    available.get(p.pk, ZERO),
                    weekly.get(p.pk, [ZERO] * WINDOW_WEEKS),
                    weeks,
                    as_of,
                ),
            )
        )
    free = _reserve_free(as_of)
    scheme_weekly = [sum(col, ZERO) for col in zip(*weekly.values(), strict=True)] or [
        ZERO
    ] * WINDOW_WEEKS
    firsts = [first.get(pid) for pid in available]
    dated = [d for d in firsts if d is not None]
    scheme_first = None if not firsts or len(dated) < len(firsts) else min(dated)
    weeks = history_weeks(scheme_first, as_of) if firsts else 0
    total = forecast(sum(available.values(), ZERO) + free, scheme_weekly, weeks, as_of)
    return Runway(as_of=as_of, providers=result, total=total, reserve_free=free)
