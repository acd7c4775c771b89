"""Plausible bounds of the scheme, stated once (issue 20): what cost a file may quote, what
subsidy it may carry, which dates it may bear and which tariffs a provider may have. The web
forms, the API, the history import, the budget screens and the catalogue's administration all
ask here; nothing else decides.

- **Cost.** The policy version in force gives the admissible cost of a *trajectory*
  (`PolicyVersion.min_cost_eur` .. `max_cost_eur`, bounds included; domain.md "Policy version":
  2021 EUR 25,000-50,000, 2023 EUR 9,200-35,000). The quoted cost covers the main package and
  every extension taken (contracts/api.md, history-import.md), and an amendment's extra cost
  counts towards the same range (applications.amendments): the range is that of the whole
  trajectory, whatever it is made of. A cost outside it is refused where it is typed; 0,
  negative and absurd amounts (999999999999.99) lie outside every range.
- **Subsidy.** Never above the policy's rate for the enterprise's kind times the cost
  (catalogue.pricing.subsidy_at, to the cent): history may have granted less, never more.
- **Dates.** Within the scheme's life: not before SCHEME_START and not more than a year after
  today (core.clock). These two are not policy data: they bound the policy versions themselves
  (the first version starts in 2021; the framework agreements and their first allocations date
  from the 2019 procurement), and a date must be judged before anyone can say which version it
  falls under. So they are the constants below.
- **Tariffs.** A provider's tariff for a main package lies within the cost range of every policy
  version in force while the tariff is valid; an extension's tariff is positive and leaves room
  for a main package within that range (at most max - min). The filing form prefills the sum of
  the tariffs of what is chosen only when it lies within the range, and caps it at the maximum
  otherwise (prefill_cost), so the form never prefills what the checks refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from csgrants.catalogue.models import PolicyVersion
from csgrants.catalogue.pricing import subsidy_at
from csgrants.catalogue.selectors import policy_in_force
from csgrants.core import clock
from csgrants.core.errors import NotFound, ValidationFailed
from csgrants.core.money import ZERO, format_eur

# The 2019 procurement of the framework agreements: nothing of the scheme is older.
SCHEME_START = date(2019, 1, 1)
# How far ahead a date may lie: planned top-ups, a decision dated in advance; more is a typo.
HORIZON_YEARS = 1

COST_CODE = "COST_OUT_OF_RANGE"
SUBSIDY_CODE = "SUBSIDY_ABOVE_RATE"
DATE_CODE = "DATE_OUT_OF_RANGE"
TARIFF_CODE = "TARIFF_OUT_OF_RANGE"


# --- dates ------------------------------------------------------------------------------------


def latest_date(today: date | None = None) -> date:
    """The last date the scheme accepts: a year after today (28 February for a 29th)."""
    today = today or clock.today()
    try:
        return today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + HORIZON_YEARS, day=28)


def date_refusal(value: date, *, today: date | None = None) -> str | None:
    """Why `value` lies outside the scheme's life, in the active language; None when inside."""
    if value < SCHEME_START:
        return _("The date %(date)s lies before the scheme began (%(start)s).") % {
            "date": value.isoformat(),
            "start": SCHEME_START.isoformat(),
        }
    last = latest_date(today)
    if value > last:
        return _("The date %(date)s lies more than a year ahead (at most %(last)s).") % {
            "date": value.isoformat(),
            "last": last.isoformat(),
        }
    return None


def check_date(value: date, *, field: str, today: date | None = None) -> date:
    """`value`, or ValidationFailed naming `field` (code DATE_OUT_OF_RANGE)."""
    message = date_refusal(value, today=today)
    if message is not None:
        raise ValidationFailed(message, field=field, code=DATE_CODE)
    return value


# --- cost -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostRange:
    low: Decimal
    high: Decimal

    def __contains__(self, amount: Decimal) -> bool:
        return self.low <= amount <= self.high


def policy_on(day: date) -> PolicyVersion | None:
    """The policy version in force on `day` (catalogue.selectors), None before the first."""
    try:
        return policy_in_force(day)
    except NotFound:
        return None


def cost_range(policy: PolicyVersion) -> CostRange:
    """The admissible cost of a trajectory under `policy`: main package and extensions
    together (module docstring). The automated check PACKAGE_COST reads its bounds here too."""
    return CostRange(low=policy.min_cost_eur, high=policy.max_cost_eur)


def cost_refusal(cost: Decimal, policy: PolicyVersion | None) -> str | None:
    """Why a trajectory costing `cost` cannot be filed under `policy`, in the active language;
    None when it can. Without a policy in force only a positive cost is asked (nothing can be
    submitted then anyway: filing answers NO_POLICY)."""
    if cost <= ZERO:  # even under a version whose minimum were 0: no trajectory is free
        return _("The cost must be more than zero.")
    if policy is None:
        return None
    bounds = cost_range(policy)
    if cost in bounds:
        return None
    return _(
        "The cost %(cost)s lies outside the range the policy admits for a trajectory, "
        "package and extensions together: %(low)s to %(high)s."
    ) % {
        "cost": format_eur(cost),
        "low": format_eur(bounds.low),
        "high": format_eur(bounds.high),
    }


def check_cost(cost: Decimal, *, policy: PolicyVersion | None, field: str = "cost_eur") -> Decimal:
    """`cost`, or ValidationFailed naming `field` (code COST_OUT_OF_RANGE)."""
    message = cost_refusal(cost, policy)
    if message is not None:
        raise ValidationFailed(message, field=field, code=COST_CODE)
    return cost


# History (the import) states what was filed then. A file rejected *for its cost* lies outside
# the range by definition and is kept as it was, but a quote more than this many times the
# policy's maximum is a typing error (a digit too many), not history.
REJECTED_COST_FACTOR = 2


def history_cost_refusal(
    cost: Decimal, policy: PolicyVersion | None, *, rejected_for_cost: bool = False
) -> str | None:
    """cost_refusal for an imported file; one rejected for its cost (COST_OUT_OF_RANGE) need
    only be positive and at most REJECTED_COST_FACTOR x the maximum."""
    if not rejected_for_cost or policy is None or cost <= ZERO:
        return cost_refusal(cost, policy)
    ceiling = policy.max_cost_eur * REJECTED_COST_FACTOR
    if cost > ceiling:
        return _("The cost %(cost)s is more than %(factor)s times the policy's maximum.") % {
            "cost": format_eur(cost),
            "factor": REJECTED_COST_FACTOR,
        }
    return None


def extra_cost_refusal(extra_cost: Decimal, policy: PolicyVersion | None) -> str | None:
    """Why an amendment's extra cost is implausible: it is positive, and no more than a whole
    trajectory may cost (the file's total is the amendment check's business)."""
    if extra_cost <= ZERO:
        return _("The extra cost must be more than zero.")
    if policy is not None and extra_cost > cost_range(policy).high:
        return _("The extra cost %(cost)s is more than a whole trajectory may cost (%(high)s).") % {
            "cost": format_eur(extra_cost),
            "high": format_eur(cost_range(policy).high),
        }
    return None


# --- subsidy ----------------------------------------------------------------------------------


def subsidy_cap(policy: PolicyVersion | None, *, enterprise_kind: str, cost: Decimal):
    """The most subsidy a file of `enterprise_kind` costing `cost` can carry under `policy`:
    rate x cost to the cent; None when the policy gives the kind no rate (or there is none)."""
    if policy is None:
        return None
    return subsidy_at(policy.rate_for(enterprise_kind), cost)


def subsidy_refusal(
    subsidy: Decimal, *, policy: PolicyVersion | None, enterprise_kind: str, cost: Decimal
) -> str | None:
    """Why `subsidy` is implausible for the file, in the active language; None when it is not.
    A kind without a rate (or a date without a policy) caps nothing here: the import states its
    historical subsidy, and the policy's own check refuses a kind it does not admit."""
    if subsidy < ZERO:
        return _("The subsidy cannot be negative.")
    cap = subsidy_cap(policy, enterprise_kind=enterprise_kind, cost=cost)
    if cap is not None and subsidy > cap:
        assert policy is not None
        return _(
            "The subsidy %(subsidy)s is more than %(rate)s%% of the cost %(cost)s (at most "
            "%(cap)s)."
        ) % {
            "subsidy": format_eur(subsidy),
            "rate": f"{policy.rate_for(enterprise_kind).normalize():f}",
            "cost": format_eur(cost),
            "cap": format_eur(cap),
        }
    if cap is None and subsidy > cost:
        return _("The subsidy %(subsidy)s is more than the cost %(cost)s.") % {
            "subsidy": format_eur(subsidy),
            "cost": format_eur(cost),
        }
    return None


# --- tariffs and the form's prefill -----------------------------------------------------------


def policies_between(valid_from: date, valid_to: date | None) -> list[PolicyVersion]:
    """The policy versions in force on some day of [valid_from, valid_to] (open-ended: None)."""
    versions = list(PolicyVersion.objects.order_by("valid_from"))
    result = []
    for i, version in enumerate(versions):
        ends = versions[i + 1].valid_from if i + 1 < len(versions) else None  # exclusive
        if ends is not None and ends <= valid_from:
            continue
        if valid_to is not None and version.valid_from > valid_to:
            continue
        result.append(version)
    return result


def tariff_refusal(
    *, is_extension: bool, amount: Decimal, valid_from: date, valid_to: date | None
) -> str | None:
    """Why a tariff of `amount` (valid from .. to) is one the policy would refuse, in the active
    language; None when every version in force meanwhile admits it."""
    if amount <= ZERO:
        return _("A tariff must be more than zero.")
    for policy in policies_between(valid_from, valid_to):
        bounds = cost_range(policy)
        if is_extension:
            room = bounds.high - bounds.low
            if amount > room:
                return _(
                    "Under %(policy)s no main package fits beside this extension: an extension "
                    "costs at most %(room)s (the range is %(low)s to %(high)s)."
                ) % {
                    "policy": policy,
                    "room": format_eur(room),
                    "low": format_eur(bounds.low),
                    "high": format_eur(bounds.high),
                }
        elif amount not in bounds:
            return _("Under %(policy)s a trajectory costs %(low)s to %(high)s.") % {
                "policy": policy,
                "low": format_eur(bounds.low),
                "high": format_eur(bounds.high),
            }
    return None


def check_tariff(
    *, is_extension: bool, amount: Decimal, valid_from: date, valid_to: date | None
) -> None:
    message = tariff_refusal(
        is_extension=is_extension, amount=amount, valid_from=valid_from, valid_to=valid_to
    )
    if message is not None:
        raise ValidationFailed(message, field="amount_eur", code=TARIFF_CODE)


@dataclass(frozen=True)
class Prefill:
    """What the filing form puts in the cost field: `amount` (None: leave it empty) and, when
    it is not the plain sum of the tariffs, `capped` = that sum."""

    amount: Decimal | None
    capped: Decimal | None = None


def prefill_cost(tariff_total: Decimal | None, policy: PolicyVersion | None) -> Prefill:
    """The cost to prefill for tariffs summing to `tariff_total`: the sum itself when the
    policy admits it, the policy's maximum when the sum is above it (the provider quotes within
    the range or not at all), nothing when it is below the minimum."""
    if tariff_total is None:
        return Prefill(None)
    if policy is None:
        return Prefill(tariff_total)
    bounds = cost_range(policy)
    if tariff_total in bounds:
        return Prefill(tariff_total)
    if tariff_total > bounds.high:
        return Prefill(bounds.high, capped=tariff_total)
    return Prefill(None, capped=tariff_total)
