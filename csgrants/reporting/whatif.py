"""What-if (contracts/insight.md): what would the open and the expected files cost under another
rate, and optionally another admissible cost range, from a date, against each provider's
available budget? A scenario, never a forecast; nothing is stored.

- **Open files**: submitted and not yet decided (statuses in applications.OPEN_STATUSES). Under
  today's rules each costs the subsidy it was priced at. In the scenario, a file submitted on or
  after the scenario's date costs `rate x cost` (a policy applies by submission date), or
  nothing when its cost lies outside the scenario's range (it would not be admissible); a file
  submitted before keeps its subsidy.
- **Expected files**: the files each provider would submit from the scenario's date (or today,
  whichever is later) until its end date, at the pace of its submissions in the last 26 weeks
  (count per week, mean cost and mean subsidy). In the scenario only the share of those recent
  files whose cost lies in the range counts, at their mean cost x the rate.
- Against the provider's **available** budget today (budgets.selectors); `remaining` is what
  would be left, negative when it would not suffice.

Money is Decimal throughout; the expected number of files is a fraction (a pace, not files).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from csgrants.applications.models import Application
from csgrants.applications.statuses import OPEN_STATUSES
from csgrants.budgets.selectors import balances_by_provider
from csgrants.catalogue.models import ServiceProvider
from csgrants.core import clock
from csgrants.core.errors import ValidationFailed
from csgrants.core.money import ZERO, percentage_of, round_cents

PACE_WEEKS = 26


@dataclass(frozen=True)
class Scenario:
    rate_pct: Decimal
    from_date: dt.date
    until: dt.date
    min_cost_eur: Decimal | None = None
    max_cost_eur: Decimal | None = None

    def in_range_q(self, field: str = "cost_eur") -> Q:
        q = Q()
        if self.min_cost_eur is not None:
            q &= Q(**{f"{field}__gte": self.min_cost_eur})
        if self.max_cost_eur is not None:
            q &= Q(**{f"{field}__lte": self.max_cost_eur})
        return q


MAX_YEARS_AHEAD = 5
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def scenario_from(
    *,
    rate_pct: Decimal,
    from_date: dt.date,
    until: dt.date | None = None,
    min_cost_eur: Decimal | None = None,
    max_cost_eur: Decimal | None = None,
) -> Scenario:
    """The scenario's rules, checked once for the form and the API."""
    if not Decimal(0) <= rate_pct <= Decimal(100):
        raise ValidationFailed(_("The rate lies between 0 and 100 %."), field="rate_pct")
    for field, day in (("from_date", from_date), ("until", until)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationFailed(
                _("Give a date between %(a)s and %(b)s.")
                % {"a": f"{EARLIEST:%d/%m/%Y}", "b": f"{LATEST:%d/%m/%Y}"},
                field=field,
            )
    if until is None:
        try:
            until = from_date.replace(year=from_date.year + 1)
        except ValueError:  # 29 February
            until = from_date.replace(year=from_date.year + 1, day=28)
    if until <= from_date:
        raise ValidationFailed(_("The end date comes after the start date."), field="until")
    if (until - from_date).days > 366 * MAX_YEARS_AHEAD:
        raise ValidationFailed(
            _("A scenario covers at most %(n)s years.") % {"n": MAX_YEARS_AHEAD}, field="until"
        )
    for field, value in (("min_cost_eur", min_cost_eur), ("max_cost_eur", max_cost_eur)):
        if value is not None and value < 0:
            raise ValidationFailed(_("An amount is not negative."), field=field)
    if min_cost_eur is not None and max_cost_eur is not None and max_cost_eur < min_cost_eur:
        raise ValidationFailed(
            _("The maximum cost is not below the minimum cost."), field="max_cost_eur"
        )
    return Scenario(rate_pct, from_date, until, min_cost_eur, max_cost_eur)


def _m(value: Decimal) -> str:
    return f"{round_cents(value):.2f}"


def what_if(scenario: Scenario, *, today: dt.date | None = None) -> dict:
    today = today or clock.today()
    start = max(scenario.from_date, today)
    weeks = Decimal(max(0, (scenario.until - start).days)) / 7
    open_files = Application.objects.filter(status__in=OPEN_STATUSES).order_by()
    repriced = open_files.filter(submitted_on__gte=scenario.from_date)
    current = {
        r["provider_id"]: r
        for r in open_files.values("provider_id").annotate(n=Count("id"), s=Sum("subsidy_eur"))
    }
    kept = {
        r["provider_id"]: r["s"] or ZERO
        for r in open_files.exclude(submitted_on__gte=scenario.from_date)
        .values("provider_id")
        .annotate(s=Sum("subsidy_eur"))
    }
    new_cost = {
        r["provider_id"]: r["c"] or ZERO
        for r in repriced.filter(scenario.in_range_q())
        .values("provider_id")
        .annotate(c=Sum("cost_eur"))
    }
    window = today - dt.timedelta(weeks=PACE_WEEKS)
    recent = Application.objects.filter(submitted_on__gt=window, submitted_on__lte=today).order_by()
    pace = {
        r["provider_id"]: r
        for r in recent.values("provider_id").annotate(
            n=Count("id"),
            s=Sum("subsidy_eur"),
            n_in=Count("id", filter=scenario.in_range_q()),
            c_in=Sum("cost_eur", filter=scenario.in_range_q()),
        )
    }
    available = balances_by_provider()
    ids = sorted(set(current) | set(pace) | set(available))
    providers = {p.pk: p for p in ServiceProvider.objects.filter(pk__in=ids)}
    rows = []
    totals = dict.fromkeys(
        (
            "available",
            "open_current",
            "open_scenario",
            "expected_current",
            "expected_scenario",
        ),
        ZERO,
    )
    rate = scenario.rate_pct
    for pid in sorted(ids, key=lambda i: providers[i].code if i in providers else ""):
        if pid not in providers:
            continue
        c = current.get(pid, {"n": 0, "s": None})
        open_now = c["s"] or ZERO
        open_new = kept.get(pid, ZERO) + percentage_of(new_cost.get(pid, ZERO), rate)
        p = pace.get(pid)
        per_week = Decimal(p["n"]) / PACE_WEEKS if p else ZERO
        expected_files = per_week * weeks
        exp_now = (
            (p["s"] or ZERO) / PACE_WEEKS * weeks if p else ZERO
        )  # the recent files' subsidy, at the same pace
        exp_new = percentage_of((p["c_in"] or ZERO) / PACE_WEEKS * weeks, rate) if p else ZERO
        avail = available[pid].available if pid in available else ZERO
        rows.append(
            {
                "provider": providers[pid].code,
                "name": providers[pid].name,
                "available_eur": _m(avail),
                "open": {
                    "files": c["n"],
                    "current_eur": _m(open_now),
                    "scenario_eur": _m(open_new),
                },
                "expected": {
                    "files": float(round(expected_files, 1)),
                    "current_eur": _m(exp_now),
                    "scenario_eur": _m(exp_new),
                },
                "remaining_current_eur": _m(avail - open_now - exp_now),
                "remaining_scenario_eur": _m(avail - open_new - exp_new),
                "short_in_scenario": avail - open_new - exp_new < 0,
            }
        )
        for key, value in (
            ("available", avail),
            ("open_current", open_now),
            ("open_scenario", open_new),
            ("expected_current", exp_now),
            ("expected_scenario", exp_new),
        ):
            totals[key] += round_cents(value)
    return {
        "kind": "scenario",
        "label": _("Scenario, not a forecast: what these files would cost under the given rules."),
        "as_of": today.isoformat(),
        "inputs": {
            "rate_pct": f"{rate:.2f}",
            "from": scenario.from_date.isoformat(),
            "until": scenario.until.isoformat(),
            "min_cost_eur": None if scenario.min_cost_eur is None else _m(scenario.min_cost_eur),
            "max_cost_eur": None if scenario.max_cost_eur is None else _m(scenario.max_cost_eur),
            "pace_weeks": PACE_WEEKS,
        },
        "providers": rows,
        "total": {
            "available_eur": _m(totals["available"]),
            "open": {
                "current_eur": _m(totals["open_current"]),
                "scenario_eur": _m(totals["open_scenario"]),
            },
            "expected": {
                "current_eur": _m(totals["expected_current"]),
                "scenario_eur": _m(totals["expected_scenario"]),
            },
            "remaining_current_eur": _m(
                totals["available"] - totals["open_current"] - totals["expected_current"]
            ),
            "remaining_scenario_eur": _m(
                totals["available"] - totals["open_scenario"] - totals["expected_scenario"]
            ),
        },
    }
