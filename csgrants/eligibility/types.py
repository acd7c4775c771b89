"""Inputs and outcomes of the eligibility rules, as frozen dataclasses.

Money, annual work units (AWU) and percentages are ``Decimal``, never float: the SME ceilings and
the de minimis ceiling are compared to the cent, and a float would put an enterprise on the wrong
side of EUR 50,000,000 or EUR 300,000.00 by rounding alone.

The names follow ``shared/contracts/eligibility.md``; the string values of the enums are the
values used in its JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class EnterpriseKind(StrEnum):
    KMO = "kmo"
    MAATWERKBEDRIJF = "maatwerkbedrijf"


class Direction(StrEnum):
    UPSTREAM = "upstream"  # the relation holds shares in the enterprise
    DOWNSTREAM = "downstream"  # the enterprise holds shares in the relation


class InvestorCategory(StrEnum):
    """Investor categories of Recommendation 2003/361/EC, Annex art. 3(2) and 3(4)."""

    PUBLIC_INVESTMENT_CORPORATION = "public_investment_corporation"
    VENTURE_CAPITAL = "venture_capital"
    BUSINESS_ANGEL = "business_angel"
    UNIVERSITY = "university"
    RESEARCH_CENTRE = "research_centre"
    INSTITUTIONAL_INVESTOR = "institutional_investor"
    REGIONAL_DEVELOPMENT_FUND = "regional_development_fund"
    SMALL_LOCAL_AUTHORITY = "small_local_authority"
    PUBLIC_BODY = "public_body"


# Art. 3(2) investors that may hold 25-50% without making the enterprise a partner. A public body
# is not among them: art. 3(4) makes 25% public ownership disqualifying instead.
EXEMPT_INVESTOR_CATEGORIES = frozenset(InvestorCategory) - {InvestorCategory.PUBLIC_BODY}


class Category(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @property
    def rank(self) -> int:
        return _CATEGORY_RANK[self]

    @property
    def is_sme(self) -> bool:
        return self is not Category.LARGE


_CATEGORY_RANK = {Category.MICRO: 0, Category.SMALL: 1, Category.MEDIUM: 2, Category.LARGE: 3}
CATEGORIES_BY_RANK = (Category.MICRO, Category.SMALL, Category.MEDIUM, Category.LARGE)


class Status(StrEnum):
    AUTONOMOUS = "autonomous"
    PARTNER = "partner"
    LINKED = "linked"


class Treatment(StrEnum):
    LINKED = "linked"
    PARTNER = "partner"
    EXEMPT_INVESTOR = "exempt_investor"
    BELOW_THRESHOLD = "below_threshold"
    PUBLIC_BODY = "public_body"


# ---------------------------------------------------------------------------------------------
# SME definition: input


@dataclass(frozen=True)
class Period:
    """One approved accounting period: its end date and the figures of that period."""

    year_end: date
    staff_awu: Decimal
    turnover_eur: Decimal
    balance_sheet_eur: Decimal


@dataclass(frozen=True)
class EnterpriseFigures:
    """The enterprise under test with its own (unconsolidated) periods."""

    kind: EnterpriseKind
    periods: tuple[Period, ...]
    name: str = ""


@dataclass(frozen=True)
class Relation:
    """Another enterprise or investor holding shares in the enterprise, or held by it.

    ``periods`` are the relation's own figures including its own linked enterprises
    (consolidated); they are used as given and matched to the enterprise's periods by year.
    """

    name: str
    direction: Direction
    capital_pct: Decimal
    voting_pct: Decimal
    control: bool = False
    investor_category: InvestorCategory | None = None
    investment_eur: Decimal | None = None
    acting_jointly_with: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()

    @property
    def holding_pct(self) -> Decimal:
        # Annex art. 6(2): the greater of the capital and the voting share counts.
        return max(self.capital_pct, self.voting_pct)


@dataclass(frozen=True)
class SmeInput:
    enterprise: EnterpriseFigures
    relations: tuple[Relation, ...] = ()


# ---------------------------------------------------------------------------------------------
# SME definition: outcome


@dataclass(frozen=True)
class Figures:
    staff_awu: Decimal
    turnover_eur: Decimal
    balance_sheet_eur: Decimal


@dataclass(frozen=True)
class PeriodOutcome:
    year_end: date
    category: Category
    aggregated: Figures


@dataclass(frozen=True)
class RelationOutcome:
    name: str
    treatment: Treatment
    # The percentage of the relation's figures added to the enterprise's (100 for linked, the
    # greater of capital and voting share for a partner, 0 where nothing is added), so that the
    # aggregate can be recomputed from the answer alone.
    share_pct: Decimal
    # The holding that was judged: the relation's own, or its group's when acting jointly.
    holding_pct: Decimal


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class SmeResult:
    is_sme: bool
    category: Category
    status: Status
    periods: tuple[PeriodOutcome, ...]  # oldest first
    relations: tuple[RelationOutcome, ...]
    reasons: tuple[Reason, ...]

    @property
    def newest(self) -> PeriodOutcome:
        return self.periods[-1]


# ---------------------------------------------------------------------------------------------
# De minimis


@dataclass(frozen=True)
class AidItem:
    granted_on: date
    amount_eur: Decimal
    description: str = ""


@dataclass(frozen=True)
class DeMinimisInput:
    grant_date: date
    amount_eur: Decimal
    prior_aid: tuple[AidItem, ...] = ()
    # (month, day) of the fiscal year end; only Regulation 1407/2013 counts in fiscal years.
    fiscal_year_end: tuple[int, int] = (12, 31)


@dataclass(frozen=True)
class DeMinimisResult:
    eligible: bool
    regulation: str
    ceiling_eur: Decimal
    window_start: date
    window_end: date
    cumulated_eur: Decimal
    headroom_eur: Decimal
    amount_eur: Decimal
    counted_aid: tuple[AidItem, ...] = field(default_factory=tuple)
    # One plain-language sentence for reviewers; not part of the contract's JSON answer.
    message: str = ""
