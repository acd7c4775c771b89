"""Read the budget: balances per provider (overall, per year, up to a date), the ledger lines
behind every figure, the reserves and the trend of each provider's use.

The balance formula
-------------------
The ledger has four kinds of line, all with positive amounts:

* ``allocate`` adds money to a provider's budget;
* ``commit`` reserves a subsidy at approval (of an application or an amendment);
* ``release`` gives back (part of) a commitment: withdrawal, stop, underspend at payment;
* ``realise`` records a payment. A payment is made *out of* a commitment: ``realise`` never
  exceeds what is still committed for the file, and the unpaid rest is released in the same
  transaction.

So for a file, ``committed = realised + released + still open``, and the money out of the
provider's reach is what is still open plus what was paid, i.e. ``committed - released``::

    available = allocated - (open commitments + realised)
              = allocated - (committed - released - realised + realised)
              = allocated - committed + released

The domain brief writes "allocated - committed - realised + released". Taken literally that
subtracts a payment twice: once as the commitment it consumed and once as a realisation. The
brief's formula is only right if realising *also* released the commitment (a release line for the
paid amount), which would make "released" mean two different things. We keep one meaning per
kind and use ``allocated - committed + released``; ``allocated = open + paid + available`` holds
for every provider, which is what the budget screens show and the tests check.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from csgrants.budgets.models import Allocation, LedgerEntry
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.money import CENT, ZERO

KINDS = ("allocate", "commit", "release", "realise")

# Each figure on the screens is a signed sum of ledger lines: figure -> {kind: sign}. The ledger
# screen uses the same table, so the lines it lists for a figure add up to that figure.
FIGURES: dict[str, dict[str, int]] = {
    "allocated": {"allocate": 1},
    "committed": {"commit": 1},
    "released": {"release": 1},
    "paid": {"realise": 1},
    "open": {"commit": 1, "release": -1, "realise": -1},
    "available": {"allocate": 1, "commit": -1, "release": 1},
}


@dataclass(frozen=True)
class Balance:
    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    released: Decimal = ZERO
    realised: Decimal = ZERO

    @property
    def paid(self) -> Decimal:
        return self.realised

    @property
    def open_commitments(self) -> Decimal:
        """Committed and not yet paid or released."""
        return self.committed - self.released - self.realised

    @property
    def available(self) -> Decimal:
        # See the module docstring: a payment consumes its commitment, so paid money is already
        # inside `committed - released`.
        return self.allocated - self.committed + self.released

    def figure(self, name: str) -> Decimal:
        return {
            "allocated": self.allocated,
            "committed": self.committed,
            "released": self.released,
            "paid": self.realised,
            "open": self.open_commitments,
            "available": self.available,
        }[name]

    def __add__(self, other: Balance) -> Balance:
        return Balance(
            self.allocated + other.allocated,
            self.committed + other.committed,
            self.released + other.released,
            self.realised + other.realised,
        )


def _filter(qs, *, year: int | None = None, until: dt.date | None = None):
    if year is not None:
        qs = qs.filter(entry_date__year=year)
    if until is not None:
        qs = qs.filter(entry_date__lte=until)
    return qs


def _sum_kwargs():
    return {k: Sum("amount_eur", filter=Q(kind=k)) for k in KINDS}


def _balance(row) -> Balance:
    return Balance(
        allocated=(row["allocate"] or ZERO).quantize(CENT),
        committed=(row["commit"] or ZERO).quantize(CENT),
        released=(row["release"] or ZERO).quantize(CENT),
        realised=(row["realise"] or ZERO).quantize(CENT),
    )


def _sums(qs) -> Balance:
    # One total per kind, grouped: compiles in half the time of four filtered sums, and this
    # runs on every submission (the budget check).
    totals = dict(qs.order_by().values_list("kind").annotate(Sum("amount_eur")))
    return _balance({kind: totals.get(kind) for kind in KINDS})


def provider_balance(provider, *, year: int | None = None, until: dt.date | None = None) -> Balance:
    """The provider's figures from its ledger lines; with `year`, only lines dated in that year
    (flows); with `until`, lines up to and including that date (the position on that day)."""
    return _sums(_filter(LedgerEntry.objects.filter(provider=provider), year=year, until=until))


# --- the yearly sums every screen reads -----------------------------------------------------
#
# The screens show sums over a million ledger lines; summing them for each page took seconds. The
# sums per (year, provider, kind) come from `year_rows`: on PostgreSQL the reporting app plugs in
# its trigger-kept yearly ledger summary (`use_year_rows`, reporting/apps.py: a few hundred rows,
# kept in the same transaction as the lines), elsewhere they are grouped from the lines. Every
# figure is then folded from those rows; a date inside a year takes its year's rows minus the
# lines dated after it in that year (an index range on entry_date: "today" leaves a few days).

YearRow = tuple[int, int, str, int, Decimal]  # year, provider id, kind, lines, amount


def _ledger_year_rows(provider_id: int | None) -> list[YearRow]:
    qs = LedgerEntry.objects.all()
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    rows = (
        qs.order_by()
        .values_list("entry_date__year", "provider_id", "kind")
        .annotate(n=Count("id"), s=Sum("amount_eur"))
    )
    return [(y, pid, kind, n, s) for y, pid, kind, n, s in rows]


YearRowsSource = Callable[[int | None], list[YearRow] | None]


def use_year_rows(source: YearRowsSource | None) -> YearRowsSource | None:
    """Plug in a faster source of the yearly sums (it answers None where it cannot serve);
    returns the source it replaces."""
    global _year_rows_source
    previous, _year_rows_source = _year_rows_source, source
    return previous


_year_rows_source: YearRowsSource | None = None


def year_rows(provider_id: int | None = None) -> list[YearRow]:
    """(year, provider id, kind, lines, amount) for every group with lines, of one provider or
    of all."""
    if _year_rows_source is not None:
        rows = _year_rows_source(provider_id)
        if rows is not None:
            return rows
    return _ledger_year_rows(provider_id)


def grouped_sums(
    *,
    provider_id: int | None = None,
    kinds=None,
    year: int | None = None,
    until: dt.date | None = None,
) -> dict[tuple[int, str], tuple[int, Decimal]]:
    """(provider id, kind) -> (lines, amount) of the lines of `kinds`, dated in `year` and up to
    and including `until`; only groups with lines."""
    sums: dict[tuple[int, str], tuple[int, Decimal]] = {}
    for y, pid, kind, n, amount in year_rows(provider_id):
        if year is not None and y != year:
            continue
        if until is not None and y > until.year:
            continue
        if kinds is not None and kind not in kinds:
            continue
        lines, total = sums.get((pid, kind), (0, ZERO))
        sums[(pid, kind)] = (lines + n, total + (amount or ZERO))
    if (
        until is not None
        and until < dt.date(until.year, 12, 31)
        and (year is None or year == until.year)
    ):
        later = LedgerEntry.objects.filter(
            entry_date__gt=until, entry_date__lte=dt.date(until.year, 12, 31)
        )
        if provider_id is not None:
            later = later.filter(provider_id=provider_id)
        if kinds is not None:
            later = later.filter(kind__in=list(kinds))
        rows = (
            later.order_by()
            .values_list("provider_id", "kind")
            .annotate(n=Count("id"), s=Sum("amount_eur"))
        )
        for pid, kind, n, amount in rows:
            lines, total = sums[(pid, kind)]
            sums[(pid, kind)] = (lines - n, total - amount)
    return {key: value for key, value in sums.items() if value[0]}


def _fold(sums: dict[tuple[int, str], tuple[int, Decimal]]) -> dict[int, Balance]:
    per: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for (pid, kind), (_lines, amount) in sums.items():
        per[pid][kind] = amount
    return {pid: _balance({k: kinds.get(k) for k in KINDS}) for pid, kinds in per.items()}


def balances_by_provider(
    *, year: int | None = None, until: dt.date | None = None, provider=None
) -> dict[int, Balance]:
    """provider id -> Balance (of the providers with lines), from the yearly sums; with
    `provider`, of that provider only."""
    pid = getattr(provider, "pk", provider)
    return _fold(grouped_sums(provider_id=pid, year=year, until=until))


def provider_position(provider, *, until: dt.date | None = None) -> Balance:
    """The provider's position (on `until`, or with every line) for the screens."""
    return balances_by_provider(until=until, provider=provider).get(provider.pk, Balance())


def provider_years(provider) -> list[tuple[int, Balance, Balance]]:
    """(year, flows in the year, position at the end of the year) for each year with lines."""
    per: dict[int, dict[tuple[int, str], tuple[int, Decimal]]] = defaultdict(dict)
    for y, pid, kind, n, amount in year_rows(provider.pk):
        if n:
            per[y][(pid, kind)] = (n, amount)
    result = []
    running = Balance()
    for year in sorted(per):
        flows = _fold(per[year]).get(provider.pk, Balance())
        running = running + flows
        result.append((year, flows, running))
    return result


def ledger_years() -> list[int]:
    return sorted({y for y, _pid, _kind, n, _amount in year_rows() if n})


def ledger_count_total(
    *,
    provider=None,
    figure: str | None = None,
    kinds: list[str] | tuple[str, ...] | None = None,
    year: int | None = None,
    until: dt.date | None = None,
) -> tuple[int, Decimal]:
    """The number of lines `ledger_lines` lists with these filters and their `figure_total`,
    from the yearly sums."""
    wanted = set(KINDS)
    if figure is not None:
        wanted &= set(FIGURES[figure])
    if kinds:
        wanted &= set(kinds)
    signs = FIGURES.get(figure or "", {})
    sums = grouped_sums(
        provider_id=getattr(provider, "pk", None), kinds=wanted, year=year, until=until
    )
    count = sum(n for n, _amount in sums.values())
    total = sum(
        (amount.quantize(CENT) * signs.get(kind, 1) for (_pid, kind), (_n, amount) in sums.items()),
        ZERO,
    )
    return count, total


def application_balance(application) -> Balance:
    """A file's ledger figures, its amendments included: committed, released, paid."""
    return _sums(LedgerEntry.objects.filter(application=application))


def application_open_commitment(application) -> Decimal:
    """What is still committed for a file, its amendments included."""
    return application_balance(application).open_commitments


# --- the lines behind a figure ---------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    entry: LedgerEntry
    contribution: Decimal  # signed contribution of this line to the figure asked for


def ledger_lines(
    *,
    provider=None,
    figure: str | None = None,
    kinds: list[str] | tuple[str, ...] | None = None,
    year: int | None = None,
    until: dt.date | None = None,
):
    """Ledger lines filtered by provider, figure (see FIGURES) or kinds, year and end date,
    oldest first, with their related rows loaded for display."""
    qs = LedgerEntry.objects.select_related(
        "provider", "application", "amendment", "allocation", "actor"
    )
    if provider is not None:
        qs = qs.filter(provider=provider)
    if figure is not None:
        qs = qs.filter(kind__in=list(FIGURES[figure]))
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    return _filter(qs, year=year, until=until).order_by("entry_date", "id")


def figure_total(qs, figure: str | None) -> Decimal:
    """The signed sum of the lines in `qs` for `figure` (the plain sum without one), in the
    database: the ledger of a busy provider has far more lines than one page shows."""
    signs = FIGURES.get(figure or "", {})
    balance = _sums(qs.order_by())
    sums = {
        "allocate": balance.allocated,
        "commit": balance.committed,
        "release": balance.released,
        "realise": balance.realised,
    }
    return sum((amount * signs.get(kind, 1) for kind, amount in sums.items()), ZERO)


def figure_lines(qs, figure: str | None) -> tuple[list[LedgerLine], Decimal]:
    """Each line with its contribution to `figure` (its plain amount without a figure), and the
    total, which equals the figure shown on the overview."""
    signs = FIGURES.get(figure or "", {})
    lines = []
    total = ZERO
    for entry in qs:
        contribution = entry.amount_eur * signs.get(entry.kind, 1)
        total += contribution
        lines.append(LedgerLine(entry=entry, contribution=contribution))
    return lines, total


# --- reserves ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReserveStatus:
    reserve: Allocation
    assigned: Decimal
    assignments: list[Allocation] = field(default_factory=list)

    @property
    def free(self) -> Decimal:
        return self.reserve.amount_eur - self.assigned


def reserve_free(reserve: Allocation) -> Decimal:
    assigned = reserve.assignments.aggregate(s=Sum("amount_eur"))["s"] or ZERO
    return reserve.amount_eur - assigned


def reserves() -> list[ReserveStatus]:
    result = []
    qs = (
        Allocation.objects.filter(kind=Allocation.Kind.RESERVE)
        .select_related("agreement")
        .prefetch_related("assignments__provider")
    )
    for reserve in qs:
        assignments = list(reserve.assignments.all())
        assigned = sum((a.amount_eur for a in assignments), ZERO)
        result.append(ReserveStatus(reserve=reserve, assigned=assigned, assignments=assignments))
    return result


@dataclass(frozen=True)
class SchemeTotals:
    providers: Balance
    reserve_free: Decimal

    @property
    def budget(self) -> Decimal:
        """Every euro of the scheme counted once: allocated to providers plus still in reserve."""
        return self.providers.allocated + self.reserve_free


def scheme_totals(*, until: dt.date | None = None) -> SchemeTotals:
    providers = sum(balances_by_provider(until=until).values(), Balance())
    free = sum((r.free for r in reserves()), ZERO)
    return SchemeTotals(providers=providers, reserve_free=free)


# --- trend: how fast each provider uses its budget ---------------------------------------------


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    month_index = day.year * 12 + (day.month - 1) - back
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


@dataclass(frozen=True)
class Month:
    start: dt.date
    committed: Decimal
    released: Decimal

    @property
    def net(self) -> Decimal:
        return self.committed - self.released


@dataclass(frozen=True)
class Trend:
    months: list[Month]
    available: Decimal
    today: dt.date

    @property
    def window_start(self) -> dt.date:
        return self.months[0].start

    @property
    def pace_per_month(self) -> Decimal:
        """Net use (commitments minus releases) per month, averaged over the whole window, the
        current month included: a provider that only started recently is not extrapolated from
        its first busy week."""
        net = sum((m.net for m in self.months), ZERO)
        return (net / len(self.months)).quantize(Decimal("0.01"))

    @property
    def exhausted(self) -> bool:
        return self.available <= ZERO

    @property
    def months_left(self) -> Decimal | None:
        if self.exhausted:
            return ZERO
        pace = self.pace_per_month
        if pace <= ZERO:
            return None
        return (self.available / pace).quantize(Decimal("0.1"))

    @property
    def run_out_on(self) -> dt.date | None:
        """The day the available budget reaches zero at the current pace; None when the pace is
        zero or negative (it does not run out)."""
        if self.exhausted:
            return self.today
        pace = self.pace_per_month
        if pace <= ZERO:
            return None
        # A month is 365.25 / 12 days on average; days are not money, so int() is fine here.
        days = int((self.available / pace) * Decimal("365.25") / 12)
        try:
            return self.today + dt.timedelta(days=days)
        except OverflowError:
            return dt.date.max

    @property
    def values(self) -> list[Decimal]:
        return [m.committed for m in self.months]


def provider_trends(*, today: dt.date, months: int = 12, providers=None) -> dict[int, Trend]:
    """provider id -> Trend over the last `months` calendar months up to `today` (the current
    month included), with the available budget on `today`."""
    start = _month_start(today, months - 1)
    starts = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    qs = LedgerEntry.objects.filter(
        kind__in=["commit", "release"], entry_date__gte=start, entry_date__lte=today
    )
    if providers is not None:
        qs = qs.filter(provider__in=providers)
    rows = (
        qs.order_by()
        .annotate(month=TruncMonth("entry_date"))
        .values("provider_id", "month", "kind")
        .annotate(total=Sum("amount_eur"))
    )
    per: dict[int, dict[tuple[dt.date, str], Decimal]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        per[row["provider_id"]][(month, row["kind"])] = row["total"]
    balances = balances_by_provider(
        until=today,
        provider=providers[0] if providers is not None and len(providers) == 1 else None,
    )
    provider_ids = (
        [p.pk for p in providers]
        if providers is not None
        else list(ServiceProvider.objects.values_list("pk", flat=True))
    )
    result = {}
    for pid in provider_ids:
        data = per.get(pid, {})
        result[pid] = Trend(
            months=[
                Month(s, data.get((s, "commit"), ZERO), data.get((s, "release"), ZERO))
                for s in starts
            ],
            available=balances.get(pid, Balance()).available,
            today=today,
        )
    return result


def provider_trend(provider, *, today: dt.date, months: int = 12) -> Trend:
    return provider_trends(today=today, months=months, providers=[provider])[provider.pk]


# --- the overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderRow:
    provider: ServiceProvider
    balance: Balance  # overall position, or flows in the selected year
    position: Balance  # position at the end of the selected year (or today)
    trend: Trend


def budget_overview(*, today: dt.date, year: int | None = None) -> list[ProviderRow]:
    """One row per provider that has a budget or ledger lines, in code order."""
    until = dt.date(year, 12, 31) if year is not None else None
    position = balances_by_provider(until=until)
    flows = balances_by_provider(year=year) if year is not None else position
    providers = (
        ServiceProvider.objects.filter(
            Q(pk__in=list(position))
            | Q(allocations__isnull=False)
            | Q(framework_agreements__isnull=False)
        )
        .distinct()
        .order_by("code")
    )
    listed = list(providers)
    trends = provider_trends(today=today, providers=listed)
    return [
        ProviderRow(
            provider=p,
            balance=flows.get(p.pk, Balance()),
            position=position.get(p.pk, Balance()),
            trend=trends[p.pk],
        )
        for p in listed
    ]


def last_day_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
