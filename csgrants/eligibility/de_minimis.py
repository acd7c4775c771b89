"""De minimis aid: may this single undertaking receive this aid without exceeding the ceiling?

- Grant dates up to 2023-12-31: Commission Regulation (EU) No 1407/2013, art. 3(2): EUR 200,000
  over the fiscal year of the grant and the two previous fiscal years. The window starts on the
  day after the fiscal year end three years before the end of the current fiscal year and ends
  on the grant date (aid granted later in the same fiscal year is not yet granted).
- Grant dates from 2024-01-01: Commission Regulation (EU) 2023/2831, art. 3(2): EUR 300,000 over
  any period of three years: aid granted after the same calendar day three years earlier, up to
  and including the grant date (grant 2024-03-01: from 2021-03-02).
- Art. 3(7) of both: if the new aid would take the total over the ceiling, none of it may be
  granted, not even part; so ``eligible`` is ``cumulated + amount <= ceiling``.
- Art. 3(4) (1407/2013) and 3(3) (2023/2831): aid counts from the date the legal right to it is
  granted; ``granted_on`` is that date. Aid dated after the grant date is ignored.

29 February, which the contract leaves open:

- A grant on 29 February under 2023/2831 looks back to 28 February three years earlier (the
  last day of that February, as Regulation 1182/71 art. 3(2)(c) ends periods in years), so the
  window starts on 1 March: the same start as a grant on 28 February, one day earlier than a
  grant on 1 March. The window never moves backwards as the grant date moves forward.
- A fiscal year end of ``02-29`` means the last day of February: 28 February in common years.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from . import _format as fmt
from ._dates import month_day_in_year, same_day_years_earlier
from .types import DeMinimisInput, DeMinimisResult

REGULATION_1407_2013 = "1407/2013"
REGULATION_2023_2831 = "2023/2831"
NEW_REGULATION_FROM = date(2024, 1, 1)
CEILINGS = {REGULATION_1407_2013: Decimal(200_000), REGULATION_2023_2831: Decimal(300_000)}


def window_for(grant_date: date, fiscal_year_end: tuple[int, int] = (12, 31)) -> tuple[str, date]:
    """The applicable regulation and the first day of the window that ends on ``grant_date``."""
    if grant_date >= NEW_REGULATION_FROM:
        # Rolling three years: "after the same calendar day three years earlier".
        return REGULATION_2023_2831, same_day_years_earlier(grant_date, 3) + timedelta(days=1)
    month, day = fiscal_year_end
    current_end = month_day_in_year(grant_date.year, month, day)
    if current_end < grant_date:
        current_end = month_day_in_year(grant_date.year + 1, month, day)
    # Current fiscal year plus the two before it: from the day after the year end three back.
    start = month_day_in_year(current_end.year - 3, month, day) + timedelta(days=1)
    return REGULATION_1407_2013, start


def evaluate_de_minimis(inp: DeMinimisInput, lang: str = "nl") -> DeMinimisResult:
    """Cumulate the prior aid in the window and decide whether the new aid fits the ceiling."""
    regulation, start = window_for(inp.grant_date, inp.fiscal_year_end)
    ceiling = CEILINGS[regulation]
    counted = tuple(
        sorted(
            (a for a in inp.prior_aid if start <= a.granted_on <= inp.grant_date),
            key=lambda a: a.granted_on,
        )
    )
    cumulated = sum((a.amount_eur for a in counted), Decimal(0))
    total = cumulated + inp.amount_eur
    eligible = total <= ceiling
    headroom = max(Decimal(0), ceiling - cumulated)
    return DeMinimisResult(
        eligible=eligible,
        regulation=regulation,
        ceiling_eur=ceiling,
        window_start=start,
        window_end=inp.grant_date,
        cumulated_eur=cumulated,
        headroom_eur=headroom,
        amount_eur=inp.amount_eur,
        counted_aid=counted,
        message=_message(eligible, regulation, ceiling, start, inp, cumulated, total, lang),
    )


def _message(eligible, regulation, ceiling, start, inp, cumulated, total, lang) -> str:
    lang = "en" if lang == "en" else "nl"
    m = {k: fmt.money(v, lang) for k, v in (("c", cumulated), ("a", inp.amount_eur), ("t", total))}
    ceiling_text = fmt.money(ceiling, lang)
    period = f"{fmt.day(start)} - {fmt.day(inp.grant_date)}"
    if lang == "nl":
        head = (
            f"Verordening {regulation}: {m['c']} de-minimissteun ontvangen in {period}; "
            f"met deze steun van {m['a']} wordt dat {m['t']}"
        )
        if eligible:
            return f"{head}, binnen het plafond van {ceiling_text}"
        return (
            f"{head}, boven het plafond van {ceiling_text}: deze steun kan niet worden toegekend, "
            "ook niet gedeeltelijk"
        )
    head = (
        f"Regulation {regulation}: {m['c']} de minimis aid received in {period}; "
        f"with this aid of {m['a']} the total becomes {m['t']}"
    )
    if eligible:
        return f"{head}, within the ceiling of {ceiling_text}"
    return (
        f"{head}, above the ceiling of {ceiling_text}: this aid cannot be granted, not even in part"
    )
