"""Properties that must hold for every input, checked with hypothesis."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from csgrants.eligibility import evaluate_de_minimis, evaluate_sme_json
from csgrants.eligibility.de_minimis import CEILINGS
from csgrants.eligibility.types import AidItem, DeMinimisInput

# Figures around the ceilings, so that the interesting boundaries are hit often.
awu = st.one_of(
    st.sampled_from(["0", "9.99", "10", "49.99", "50", "249.99", "250", "400"]),
    st.decimals(min_value=0, max_value=600, places=2).map(str),
)
money = st.one_of(
    st.sampled_from(
        ["0", "2000000", "2000000.01", "10000000", "43000000", "50000000", "50000000.01"]
    ),
    st.decimals(min_value=0, max_value=120_000_000, places=2).map(str),
)
pct = st.decimals(min_value=0, max_value=100, places=2)
categories = st.sampled_from(
    [
        None,
        "university",
        "venture_capital",
        "business_angel",
        "institutional_investor",
        "small_local_authority",
        "public_body",
        "research_centre",
    ]
)
YEARS = [2021, 2022, 2023, 2024]


@st.composite
def periods(draw, years=None):
    chosen = (
        years
        if years is not None
        else draw(st.lists(st.sampled_from(YEARS), min_size=1, max_size=4, unique=True))
    )
    return [
        {
            "year_end": f"{y}-12-31",
            "staff_awu": draw(awu),
            "turnover_eur": draw(money),
            "balance_sheet_eur": draw(money),
        }
        for y in chosen
    ]


@st.composite
def relations(draw, names):
    result = []
    for name in names:
        capital, voting = draw(pct), draw(pct)
        category = draw(categories)
        result.append(
            {
                "name": name,
                "direction": draw(st.sampled_from(["upstream", "downstream"])),
                "capital_pct": str(capital),
                "voting_pct": str(voting),
                "control": draw(st.booleans()),
                "investor_category": category,
                "investment_eur": draw(
                    st.sampled_from(["1000000", "1249999.99", "1250000", "2000000"])
                )
                if category == "business_angel"
                else None,
                "acting_jointly_with": [],
                "periods": draw(periods(years=draw(st.lists(st.sampled_from(YEARS), unique=True)))),
            }
        )
    upstream = [r["name"] for r in result if r["direction"] == "upstream"]
    for r in result:
        if r["direction"] == "upstream" and len(upstream) > 1:
            others = [n for n in upstream if n != r["name"]]
            r["acting_jointly_with"] = draw(
                st.lists(st.sampled_from(others), max_size=2, unique=True)
            )
    return result


@st.composite
def sme_inputs(draw):
    names = draw(st.lists(st.sampled_from(["B", "C", "D", "E", "F"]), max_size=4, unique=True))
    return {
        "enterprise": {"name": "A", "kind": "kmo", "periods": draw(periods())},
        "relations": draw(relations(names)),
    }


def verdict(answer: dict) -> tuple:
    return answer["is_sme"], answer["category"], answer["status"], answer["periods"]


@settings(max_examples=300)
@given(sme_inputs(), st.data())
def test_a_relation_below_25_percent_never_changes_the_verdict(base, data):
    """Rule 4. The new relation has no control, acts jointly with no one and is named by no
    one; a public body is excluded because public bodies' holdings add up (art. 3(4)), so a
    small one can tip existing ones over 25%."""
    small = {
        "name": "Z",
        "direction": data.draw(st.sampled_from(["upstream", "downstream"])),
        "capital_pct": str(data.draw(st.decimals(min_value=0, max_value="24.99", places=2))),
        "voting_pct": str(data.draw(st.decimals(min_value=0, max_value="24.99", places=2))),
        "control": False,
        "investor_category": data.draw(
            categories.filter(lambda c: c not in ("public_body", "business_angel"))
        ),
        "periods": data.draw(periods()),
    }
    extended = copy.deepcopy(base)
    extended["relations"].insert(data.draw(st.integers(0, len(base["relations"]))), small)
    before, after = evaluate_sme_json(base), evaluate_sme_json(extended)
    assert verdict(after) == verdict(before)
    added = next(r for r in after["relations"] if r["name"] == "Z")
    assert added == {"name": "Z", "treatment": "below_threshold", "share_pct": "0.00"}


FIELDS = ["staff_awu", "turnover_eur", "balance_sheet_eur"]
RANK = {"micro": 0, "small": 1, "medium": 2, "large": 3}


@settings(max_examples=500)
@given(sme_inputs(), st.data())
def test_raising_an_own_figure_never_makes_a_smaller_enterprise(base, data):
    """Raising the enterprise's own AWU, turnover or balance sheet in any period never turns a
    non-SME into an SME; more strongly, no category of a period and not the status goes down."""
    own = base["enterprise"]["periods"]
    index = data.draw(st.integers(0, len(own) - 1))
    field = data.draw(st.sampled_from(FIELDS))
    places = 2
    increase = data.draw(st.decimals(min_value="0.01", max_value=60_000_000, places=places))
    raised = copy.deepcopy(base)
    target = raised["enterprise"]["periods"][index]
    target[field] = str(Decimal(target[field]) + increase)
    assume(Decimal(target[field]) <= Decimal(10) ** 13)
    before, after = evaluate_sme_json(base), evaluate_sme_json(raised)
    if not before["is_sme"]:
        assert not after["is_sme"]
    assert RANK[after["category"]] >= RANK[before["category"]]
    for p_before, p_after in zip(before["periods"], after["periods"], strict=True):
        assert RANK[p_after["category"]] >= RANK[p_before["category"]]


aid_dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
cents = st.decimals(min_value=0, max_value=400_000, places=2)


@settings(max_examples=500)
@given(
    grant=aid_dates,
    amount=cents,
    prior=st.lists(st.tuples(aid_dates, cents), max_size=6),
    fye=st.sampled_from([(12, 31), (6, 30), (3, 31), (2, 29), (9, 30)]),
)
def test_de_minimis_never_allows_more_than_the_ceiling(grant, amount, prior, fye):
    inp = DeMinimisInput(
        grant_date=grant,
        amount_eur=amount,
        prior_aid=tuple(AidItem(d, a) for d, a in prior),
        fiscal_year_end=fye,
    )
    result = evaluate_de_minimis(inp)
    ceiling = CEILINGS[result.regulation]
    assert result.ceiling_eur == ceiling
    assert result.eligible == (result.cumulated_eur + amount <= ceiling)
    if result.eligible:
        assert result.cumulated_eur + amount <= ceiling
    assert result.headroom_eur >= 0
    assert result.headroom_eur == max(Decimal(0), ceiling - result.cumulated_eur)
    # The window ends on the grant date and starts at most three years before it; under
    # 1407/2013 a grant on the first day of a fiscal year looks back just over two years.
    assert result.window_end == grant
    assert timedelta(days=365 * 2) <= grant - result.window_start < timedelta(days=365 * 3 + 1)
    counted = [(a.granted_on, a.amount_eur) for a in result.counted_aid]
    expected = [(d, a) for d, a in prior if result.window_start <= d <= grant]
    assert sorted(counted) == sorted(expected)
    assert result.cumulated_eur == sum((a for _, a in expected), Decimal(0))


@settings(max_examples=200)
@given(grant=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_later_grant_never_starts_an_earlier_window(grant):
    """Under 2023/2831 the window moves forward with the grant date, 29 February included."""
    this = evaluate_de_minimis(DeMinimisInput(grant, Decimal(0)))
    following = evaluate_de_minimis(DeMinimisInput(grant + timedelta(days=1), Decimal(0)))
    assert following.window_start >= this.window_start
    assert following.window_start - this.window_start <= timedelta(days=2)
