"""What a file costs the scheme: the one pricing rule (issue 19: "what a file costs" written once).

The subsidy is the rate that the policy version in force gives the enterprise's kind, times the
quoted cost of the trajectory, rounded half-up to the cent (core.money.percentage_of). The
package and the extensions enter through that cost: the quoted cost covers the main package
and every extension taken (contracts/api.md, history-import.md). A kind the policy does not
admit has no rate, hence no subsidy (None), and such a file can never be approved.

Filing (applications.services), amendments, previews and the history import all price here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from csgrants.catalogue.models import PolicyVersion
from csgrants.catalogue.selectors import policy_in_force
from csgrants.core.money import percentage_of


@dataclass(frozen=True)
class Price:
    policy: PolicyVersion
    rate_pct: Decimal | None
    subsidy_eur: Decimal | None


def subsidy_at(rate_pct: Decimal | None, cost_eur: Decimal) -> Decimal | None:
    """rate x cost, to the cent; None without a rate."""
    return percentage_of(cost_eur, rate_pct) if rate_pct is not None else None


def price_under(policy: PolicyVersion, *, enterprise_kind: str, cost_eur: Decimal) -> Price:
    rate = policy.rate_for(enterprise_kind)
    return Price(policy=policy, rate_pct=rate, subsidy_eur=subsidy_at(rate, cost_eur))


def price(*, enterprise_kind: str, cost_eur: Decimal, on: date) -> Price:
    """The price of a file of `enterprise_kind` costing `cost_eur` filed on `on` (NotFound with
    code NO_POLICY when no policy version is in force then)."""
    return price_under(policy_in_force(on), enterprise_kind=enterprise_kind, cost_eur=cost_eur)
