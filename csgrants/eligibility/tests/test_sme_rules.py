"""The SME rules of shared/contracts/eligibility.md, one table row per case.

Figures in the worked examples (K/G) come from shared/docs/domain-research.md section 2.4.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from csgrants.eligibility import evaluate_sme, evaluate_sme_json, parse_sme_input
from csgrants.eligibility.sme import categorize, status_over_periods
from csgrants.eligibility.types import Category, Figures

from .builders import one_year, period, relation, sme


def codes(answer: dict) -> list[str]:
    return [r["code"] for r in answer["reasons"]]


def treatments(answer: dict) -> dict[str, tuple[str, str]]:
    return {r["name"]: (r["treatment"], r["share_pct"]) for r in answer["relations"]}


# ---------------------------------------------------------------------------------------------
# Rule 5: ceilings on the enterprise's own figures

CEILING_CASES = [
    # (id, awu, turnover, balance, category)
    ("249 AWU and balance under 43M: medium", 249, 60_000_000, 40_000_000, "medium"),
    ("250 AWU: large whatever the money", 250, 5_000_000, 5_000_000, "large"),
    ("249.99 AWU is still below 250", "249.99", 1, 1, "medium"),
    ("turnover exactly 50M", 249, 50_000_000, 99_000_000, "medium"),
    ("balance exactly 43M", 249, 99_000_000, 43_000_000, "medium"),
    ("both one cent over", 249, "50000000.01", "43000000.01", "large"),
    ("micro on balance alone", 9, 2_500_000, 1_500_000, "micro"),
    ("micro on turnover alone", 9, 2_000_000, 2_500_000, "micro"),
    ("10 AWU is not micro", 10, 1, 1, "small"),
    ("9.99 AWU is micro", "9.99", 1, 1, "micro"),
    ("small: turnover over 10M, balance under", 40, 12_000_000, 9_000_000, "small"),
    ("small: both over 10M -> medium", 40, 12_000_000, 11_000_000, "medium"),
    ("50 AWU is not small", 50, 1, 1, "medium"),
    ("micro headcount, small money", 5, 3_000_000, 3_000_000, "small"),
    ("zero everything", 0, 0, 0, "micro"),
]


@pytest.mark.parametrize(
    ("awu", "turnover", "balance", "category"),
    [c[1:] for c in CEILING_CASES],
    ids=[c[0] for c in CEILING_CASES],
)
def test_category_from_ceilings(awu, turnover, balance, category):
    answer = evaluate_sme_json(one_year(awu, turnover, balance))
    assert answer["category"] == category
    assert answer["is_sme"] is (category != "large")
    assert answer["status"] == "autonomous"
    assert codes(answer)[0] == f"CATEGORY_{category.upper()}"


def test_categorize_directly_matches_table():
    assert categorize(Figures(Decimal(249), Decimal(60_000_000), Decimal(40_000_000))) is (
        Category.MEDIUM
    )
    assert categorize(Figures(Decimal(250), Decimal(0), Decimal(0))) is Category.LARGE


# ---------------------------------------------------------------------------------------------
# Rules 1-4: relations

A_150 = [period(2024, 150, 20_000_000, 15_000_000)]  # K5: A alone is medium
E_400 = [period(2024, 400, 100_000_000, 80_000_000)]

RELATION_CASES = [
    # (id, relations, is_sme, category, status, {name: (treatment, share_pct)}, staff_awu)
    (
        "K5 partner at 24%: not counted",
        [relation("E", 24, periods=E_400)],
        True,
        "medium",
        "autonomous",
        {"E": ("below_threshold", "0.00")},
        "150.00",
    ),
    (
        "partner at exactly 25%: counted",
        [relation("E", 25, periods=E_400)],
        False,
        "large",
        "partner",
        {"E": ("partner", "25.00")},
        "250.00",
    ),
    (
        "K5 partner at 30%: 150 + 120 = 270 AWU",
        [relation("E", 30, periods=E_400)],
        False,
        "large",
        "partner",
        {"E": ("partner", "30.00")},
        "270.00",
    ),
    (
        "partner: the greater of capital and voting share",
        [relation("E", 10, voting=30, periods=E_400)],
        False,
        "large",
        "partner",
        {"E": ("partner", "30.00")},
        "270.00",
    ),
    (
        "more than 50% is linked, added at 100%",
        [relation("P", 51, periods=[period(2024, 100, 1, 1)])],
        False,
        "large",
        "linked",
        {"P": ("linked", "100.00")},
        "250.00",
    ),
    (
        "exactly 50% is a partner, not linked",
        [relation("P", 50, periods=[period(2024, 90, 1, 1)])],
        True,
        "medium",
        "partner",
        {"P": ("partner", "50.00")},
        "195.00",
    ),
    (
        "control with a 10% holding is linked",
        [relation("P", 10, control=True, periods=[period(2024, 10, 1, 1)])],
        True,
        "medium",
        "linked",
        {"P": ("linked", "100.00")},
        "160.00",
    ),
    (
        "university at 40%: exempt investor, not counted",
        [relation("U", 40, category="university", periods=E_400)],
        True,
        "medium",
        "autonomous",
        {"U": ("exempt_investor", "0.00")},
        "150.00",
    ),
    (
        "exempt investor with a majority is linked after all",
        [relation("U", 51, category="venture_capital", periods=[period(2024, 10, 1, 1)])],
        True,
        "medium",
        "linked",
        {"U": ("linked", "100.00")},
        "160.00",
    ),
    (
        "K6 business angels EUR 1,249,999: exempt",
        [relation("BA", 40, category="business_angel", investment="1249999", periods=E_400)],
        True,
        "medium",
        "autonomous",
        {"BA": ("exempt_investor", "0.00")},
        "150.00",
    ),
    (
        "K6 business angels EUR 1,250,000: a partner",
        [relation("BA", 40, category="business_angel", investment="1250000", periods=E_400)],
        False,
        "large",
        "partner",
        {"BA": ("partner", "40.00")},
        "310.00",
    ),
    (
        "small local authority at 30%: exempt, not a public body",
        [relation("G", 30, category="small_local_authority", periods=E_400)],
        True,
        "medium",
        "autonomous",
        {"G": ("exempt_investor", "0.00")},
        "150.00",
    ),
    (
        "K7 public body at 25%: not an SME whatever the size",
        [relation("M", 25, category="public_body")],
        False,
        "medium",
        "partner",
        {"M": ("public_body", "0.00")},
        "150.00",
    ),
    (
        "public body at 24.99%: not counted",
        [relation("M", "24.99", category="public_body", periods=E_400)],
        True,
        "medium",
        "autonomous",
        {"M": ("below_threshold", "0.00")},
        "150.00",
    ),
    (
        "two public bodies together at 25%",
        [relation("M1", 15, category="public_body"), relation("M2", 10, category="public_body")],
        False,
        "medium",
        "partner",
        {"M1": ("public_body", "0.00"), "M2": ("public_body", "0.00")},
        "150.00",
    ),
    (
        "downstream 60%: linked",
        [relation("S", 60, direction="downstream", periods=[period(2024, 10, 1, 1)])],
        True,
        "medium",
        "linked",
        {"S": ("linked", "100.00")},
        "160.00",
    ),
    (
        "downstream 30%: partner",
        [relation("S", 30, direction="downstream", periods=E_400)],
        False,
        "large",
        "partner",
        {"S": ("partner", "30.00")},
        "270.00",
    ),
    (
        "downstream 20%: not counted",
        [relation("S", 20, direction="downstream", periods=E_400)],
        True,
        "medium",
        "autonomous",
        {"S": ("below_threshold", "0.00")},
        "150.00",
    ),
    (
        "downstream with an investor category: the category plays no part",
        [relation("S", 30, direction="downstream", category="university", periods=E_400)],
        False,
        "large",
        "partner",
        {"S": ("partner", "30.00")},
        "270.00",
    ),
    (
        "linked wins over partner in status",
        [
            relation("P", 30, periods=[period(2024, 1, 1, 1)]),
            relation("S", 60, direction="downstream", periods=[period(2024, 1, 1, 1)]),
        ],
        True,
        "medium",
        "linked",
        {"P": ("partner", "30.00"), "S": ("linked", "100.00")},
        "151.30",
    ),
    (
        "a relation without figures for the year counts as zero",
        [relation("E", 30, periods=[period(2023, 400, 1, 1)])],
        True,
        "medium",
        "partner",
        {"E": ("partner", "30.00")},
        "150.00",
    ),
    (
        "two ordinary investors acting jointly at 15% + 15%: partners by own share",
        [
            relation("X", 15, jointly=["Y"], periods=E_400),
            relation("Y", 15, periods=E_400),
        ],
        False,
        "large",
        "partner",
        {"X": ("partner", "15.00"), "Y": ("partner", "15.00")},
        "270.00",
    ),
    (
        "ordinary investors acting jointly at 30% + 25%: linked",
        [
            relation("X", 30, jointly=["Y"], periods=[period(2024, 10, 1, 1)]),
            relation("Y", 25, periods=[period(2024, 10, 1, 1)]),
        ],
        True,
        "medium",
        "linked",
        {"X": ("linked", "100.00"), "Y": ("linked", "100.00")},
        "170.00",
    ),
]


@pytest.mark.parametrize(
    ("relations", "is_sme", "category", "status", "expected", "awu"),
    [c[1:] for c in RELATION_CASES],
    ids=[c[0] for c in RELATION_CASES],
)
def test_relation_rules(relations, is_sme, category, status, expected, awu):
    answer = evaluate_sme_json(sme(A_150, relations))
    assert answer["is_sme"] is is_sme
    assert answer["category"] == category
    assert answer["status"] == status
    assert treatments(answer) == expected
    assert answer["aggregated"]["staff_awu"] == awu


def test_k4_linked_parent_makes_a_small_enterprise_large():
    answer = evaluate_sme_json(
        one_year(
            40,
            8_000_000,
            6_000_000,
            [relation("P", 51, periods=[period(2024, 230, 45_000_000, 30_000_000)])],
        )
    )
    assert answer["aggregated"] == {
        "year_end": "2024-12-31",
        "staff_awu": "270.00",
        "turnover_eur": "53000000.00",
        "balance_sheet_eur": "36000000.00",
    }
    assert answer["category"] == "large"
    assert codes(answer) == ["LINKED_AGGREGATED", "CATEGORY_LARGE", "NOT_SME"]


def test_partner_consolidated_figures_are_used_as_given():
    """C's figures include C's own linked enterprises (consolidated): the rule adds 30% of what
    is given, nothing more, nothing less; the group's members are not passed separately."""
    c_consolidated = period(2024, 200, 40_000_000, 20_000_000)  # C alone 50 AWU + its sub 150
    answer = evaluate_sme_json(
        one_year(180, 30_000_000, 45_000_000, [relation("C", 30, periods=[c_consolidated])])
    )
    assert answer["aggregated"]["staff_awu"] == "240.00"
    assert answer["aggregated"]["turnover_eur"] == "42000000.00"
    assert answer["aggregated"]["balance_sheet_eur"] == "51000000.00"


def test_user_guide_example_4_exempt_investors_not_counted():
    """B (university) 25%, C 30%, D (institutional investor) 25%, B and D not linked: TOTAL =
    100% of A + 30% of C: 180 + 60 = 240 AWU, EUR 42M -> medium."""
    answer = evaluate_sme_json(
        one_year(
            180,
            30_000_000,
            45_000_000,
            [
                relation("B", 25, category="university", periods=E_400),
                relation("C", 30, periods=[period(2024, 200, 40_000_000, 20_000_000)]),
                relation("D", 25, category="institutional_investor", periods=E_400),
            ],
        )
    )
    assert treatments(answer) == {
        "B": ("exempt_investor", "0.00"),
        "C": ("partner", "30.00"),
        "D": ("exempt_investor", "0.00"),
    }
    assert answer["aggregated"]["staff_awu"] == "240.00"
    assert answer["category"] == "medium"
    assert answer["status"] == "partner"
    assert codes(answer) == [
        "EXEMPT_INVESTOR",
        "PARTNER_AGGREGATED",
        "EXEMPT_INVESTOR",
        "CATEGORY_MEDIUM",
    ]


def test_user_guide_example_5_exempt_investors_acting_jointly_over_50_are_linked():
    """B (university) 25% and D (public investment corporation) 30% act jointly: 55% > 50%,
    the exemption is lost: TOTAL = 100% of A + 100% of B + 100% of D + 25% of C."""
    answer = evaluate_sme_json(
        one_year(
            100,
            1_000_000,
            1_000_000,
            [
                relation(
                    "B", 25, category="university", jointly=["D"], periods=[period(2024, 10, 0, 0)]
                ),
                relation("C", 25, periods=[period(2024, 40, 0, 0)]),
                relation(
                    "D",
                    30,
                    category="public_investment_corporation",
                    periods=[period(2024, 20, 0, 0)],
                ),
            ],
        )
    )
    assert treatments(answer) == {
        "B": ("linked", "100.00"),
        "C": ("partner", "25.00"),
        "D": ("linked", "100.00"),
    }
    assert answer["aggregated"]["staff_awu"] == "140.00"  # 100 + 10 + 20 + 25% of 40
    assert answer["status"] == "linked"
    assert codes(answer)[:3] == [
        "EXEMPTION_LOST_ACTING_JOINTLY",
        "PARTNER_AGGREGATED",
        "EXEMPTION_LOST_ACTING_JOINTLY",
    ]
    en = evaluate_sme_json(
        one_year(
            1,
            1,
            1,
            [
                relation("B", 25, category="university", jointly=["D"]),
                relation("D", 30, category="public_investment_corporation"),
            ],
        ),
        "en",
    )
    assert en["reasons"][0]["message"] == (
        "100% of B added (linked enterprise: B and D act jointly and together hold 55%, more "
        "than 50%, so the investor exemption is lost)"
    )


def test_exempt_investors_acting_jointly_at_50_keep_the_exemption():
    answer = evaluate_sme_json(
        sme(
            A_150,
            [
                relation("B", 25, category="university", jointly=["D"], periods=E_400),
                relation("D", 25, category="venture_capital", periods=E_400),
            ],
        )
    )
    assert treatments(answer) == {
        "B": ("exempt_investor", "0.00"),
        "D": ("exempt_investor", "0.00"),
    }
    assert answer["is_sme"] is True


def test_acting_jointly_is_transitive_and_symmetric():
    """X names Y, Z names Y: all three are one group of 20 + 20 + 20 = 60% -> linked."""
    answer = evaluate_sme_json(
        sme(
            A_150,
            [
                relation("X", 20, jointly=["Y"]),
                relation("Y", 20),
                relation("Z", 20, jointly=["Y"]),
            ],
        )
    )
    assert {t for t, _ in treatments(answer).values()} == {"linked"}


def test_public_body_reason_message_and_order():
    answer = evaluate_sme_json(
        sme(A_150, [relation("Stad", 30, category="public_body"), relation("E", 10)]), "nl"
    )
    assert codes(answer) == ["PUBLIC_BODY_CONTROL", "BELOW_THRESHOLD", "CATEGORY_MEDIUM"]
    assert answer["reasons"][0]["message"] == (
        "Publieke overheid Stad houdt 30% van het kapitaal of de stemrechten (25% of meer): "
        "geen kmo, ongeacht de omvang"
    )
    assert answer["is_sme"] is False


def test_public_body_with_majority_makes_status_linked():
    answer = evaluate_sme_json(sme(A_150, [relation("Stad", 60, category="public_body")]))
    assert answer["status"] == "linked"
    assert treatments(answer) == {"Stad": ("public_body", "0.00")}


def test_business_angel_over_limit_explains_why():
    answer = evaluate_sme_json(
        sme(A_150, [relation("BA", 40, category="business_angel", investment="1250000")]), "en"
    )
    assert answer["reasons"][0] == {
        "code": "PARTNER_AGGREGATED",
        "message": "40% of BA added (partner enterprise; the business angels invested "
        "€1,250,000.00, not less than €1,250,000.00)",
    }


def test_pro_rata_share_is_rounded_to_the_cent_only_after_adding_up():
    answer = evaluate_sme_json(
        one_year(
            "1.5",
            "0.01",
            "0",
            [relation("E", "33.333333", periods=[period(2024, "0.01", "0.01", "0.01")])],
        )
    )
    assert answer["aggregated"]["staff_awu"] == "1.50"
    assert answer["aggregated"]["turnover_eur"] == "0.01"
    assert treatments(answer)["E"] == ("partner", "33.33")


# ---------------------------------------------------------------------------------------------
# Maatwerkbedrijf


def test_maatwerkbedrijf_is_exempt_whatever_its_size():
    answer = evaluate_sme_json(one_year(900, 90_000_000, 90_000_000, kind="maatwerkbedrijf"))
    assert answer["is_sme"] is True
    assert answer["category"] == "large"
    assert codes(answer) == ["EXEMPT_MAATWERKBEDRIJF", "CATEGORY_LARGE"]


def test_maatwerkbedrijf_exemption_wins_over_public_body_but_reason_stays_visible():
    answer = evaluate_sme_json(
        one_year(10, 1, 1, [relation("Stad", 40, category="public_body")], kind="maatwerkbedrijf"),
        "en",
    )
    assert answer["is_sme"] is True
    assert codes(answer)[:2] == ["EXEMPT_MAATWERKBEDRIJF", "PUBLIC_BODY_CONTROL"]
    assert "plays no part" in answer["reasons"][1]["message"]


def test_a_small_kmo_is_not_reported_as_exempt():
    assert "EXEMPT_MAATWERKBEDRIJF" not in codes(evaluate_sme_json(one_year(5, 1, 1)))


# ---------------------------------------------------------------------------------------------
# Rule 6: two consecutive periods

MEDIUM = (200, 30_000_000, 30_000_000)
LARGE = (300, 30_000_000, 30_000_000)
SMALL = (20, 1_000_000, 1_000_000)
MICRO = (5, 1_000_000, 1_000_000)

TWO_PERIOD_CASES = [
    # (id, figures oldest first, category of the answer, codes after CATEGORY_*)
    ("one period: its category stands", [LARGE], "large", ["NOT_SME"]),
    ("one period: medium", [MEDIUM], "medium", []),
    ("gaining size once: status kept", [MEDIUM, LARGE], "medium", ["STATUS_KEPT_TWO_PERIOD_RULE"]),
    ("gaining size twice: large", [MEDIUM, LARGE, LARGE], "large", ["NOT_SME"]),
    (
        "losing size once: still large",
        [LARGE, MEDIUM],
        "large",
        ["STATUS_KEPT_TWO_PERIOD_RULE", "NOT_SME"],
    ),
    ("losing size twice: medium", [LARGE, MEDIUM, MEDIUM], "medium", []),
    (
        "alternating never changes",
        [MEDIUM, LARGE, MEDIUM, LARGE],
        "medium",
        ["STATUS_KEPT_TWO_PERIOD_RULE"],
    ),
    # HMRC CIRD92000: 220, 260, >=250 AWU -> SME, still SME, large.
    ("HMRC example", [(220, 1, 1), (260, 1, 1), (255, 1, 1)], "large", ["NOT_SME"]),
    ("HMRC mirror, year 2", [LARGE, MEDIUM], "large", ["STATUS_KEPT_TWO_PERIOD_RULE", "NOT_SME"]),
    ("micro growing to small twice", [MICRO, SMALL, SMALL], "small", []),
    # Below both SME ceilings twice in a row (medium, then small): no longer large; medium is
    # the nearer category. See sme.py on why this reads the rule by ceilings.
    (
        "large, then medium and small",
        [LARGE, LARGE, MEDIUM, SMALL],
        "medium",
        ["STATUS_KEPT_TWO_PERIOD_RULE"],
    ),
    (
        "micro, then small and medium",
        [MICRO, SMALL, MEDIUM],
        "small",
        ["STATUS_KEPT_TWO_PERIOD_RULE"],
    ),
]


@pytest.mark.parametrize(
    ("figures", "category", "tail"),
    [c[1:] for c in TWO_PERIOD_CASES],
    ids=[c[0] for c in TWO_PERIOD_CASES],
)
def test_two_consecutive_periods(figures, category, tail):
    periods = [period(2020 + i, *f) for i, f in enumerate(figures)]
    answer = evaluate_sme_json(sme(periods))
    assert answer["category"] == category
    assert answer["is_sme"] is (category != "large")
    newest = answer["periods"][-1]["category"]
    assert codes(answer) == [f"CATEGORY_{newest.upper()}", *tail]


def test_two_period_rule_counts_the_partners_too():
    """The aggregated figures, not the enterprise's own, are what crosses the ceiling."""
    periods = [period(2023, 150, 1, 1), period(2024, 150, 1, 1)]
    partner = relation("E", 50, periods=[period(2024, 300, 1, 1)])
    answer = evaluate_sme_json(sme(periods, [partner]))
    assert [p["category"] for p in answer["periods"]] == ["medium", "large"]
    assert answer["category"] == "medium"


def test_status_over_periods_directly():
    m, s, md, lg = Category.MICRO, Category.SMALL, Category.MEDIUM, Category.LARGE
    assert status_over_periods([lg]) is lg
    assert status_over_periods([md, lg, lg]) is lg
    assert status_over_periods([lg, md, md]) is md
    assert status_over_periods([m, lg, lg, s, s]) is s
    assert status_over_periods([lg, s, m]) is s


def test_periods_out_of_order_are_answered_oldest_first():
    periods = [period(2024, *MEDIUM), period(2022, *LARGE), period(2023, *LARGE)]
    answer = evaluate_sme_json(sme(periods))
    assert [p["year_end"] for p in answer["periods"]] == ["2022-12-31", "2023-12-31", "2024-12-31"]
    assert [p["category"] for p in answer["periods"]] == ["large", "large", "medium"]
    assert answer["aggregated"]["year_end"] == "2024-12-31"
    assert answer["category"] == "large"  # medium only once


def test_relation_matched_by_year_even_with_another_year_end_day():
    periods = [period(2024, 100, 1, 1, month_day="06-30")]
    answer = evaluate_sme_json(sme(periods, [relation("E", 30, periods=[period(2024, 100, 1, 1)])]))
    assert answer["aggregated"]["staff_awu"] == "130.00"


# ---------------------------------------------------------------------------------------------
# Messages


def test_summary_reads_like_a_reviewer_expects():
    nl = evaluate_sme_json(one_year(240, 42_000_000, 51_000_000), "nl")
    en = evaluate_sme_json(one_year(240, 42_000_000, 51_000_000), "en")
    assert (
        nl["reasons"][0]["message"]
        == "240 JAE, omzet € 42.000.000,00 (boekjaar 2024): middelgrote kmo"
    )
    assert en["reasons"][0]["message"] == (
        "240 AWU, turnover €42,000,000.00 (financial year 2024): medium-sized SME"
    )


def test_summary_names_the_balance_sheet_when_turnover_is_over():
    nl = evaluate_sme_json(one_year("249.5", 60_000_000, "40000000.50"), "nl")
    assert nl["reasons"][0]["message"] == (
        "249,5 JAE, balanstotaal € 40.000.000,50 (omzet € 60.000.000,00 boven € 50.000.000,00) "
        "(boekjaar 2024): middelgrote kmo"
    )


def test_summary_for_large_says_why():
    by_staff = evaluate_sme_json(one_year(250, 1, 1), "nl")["reasons"][0]["message"]
    assert by_staff == "250 JAE (250 of meer) (boekjaar 2024): grote onderneming (geen kmo)"
    by_money = evaluate_sme_json(one_year(10, 60_000_000, 50_000_000), "en")["reasons"][0]
    assert by_money["message"] == (
        "10 AWU, turnover €60,000,000.00 above €50,000,000.00 and balance sheet total "
        "€50,000,000.00 above €43,000,000.00 (financial year 2024): large enterprise (not an SME)"
    )


def test_relation_messages_in_both_languages():
    rel = [
        relation("C", 30),
        relation("P", 10, control=True),
        relation("U", 40, category="university"),
        relation("K", 10),
    ]
    nl = [r["message"] for r in evaluate_sme_json(one_year(1, 1, 1, rel), "nl")["reasons"]]
    en = [r["message"] for r in evaluate_sme_json(one_year(1, 1, 1, rel), "en")["reasons"]]
    assert nl[:4] == [
        "30% van C toegevoegd (partneronderneming)",
        "100% van P toegevoegd (verbonden onderneming: zeggenschap)",
        "40% van U niet meegeteld (vrijgestelde investeerder: universiteit)",
        "10% van K niet meegeteld (minder dan 25%)",
    ]
    assert en[:4] == [
        "30% of C added (partner enterprise)",
        "100% of P added (linked enterprise: control)",
        "40% of U not counted (exempt investor: university)",
        "10% of K not counted (less than 25%)",
    ]


def test_status_kept_message():
    answer = evaluate_sme_json(sme([period(2023, *MEDIUM), period(2024, *LARGE)]), "nl")
    assert answer["reasons"][-1]["message"] == (
        "Boekjaar 2024 op zich geeft grote onderneming (geen kmo), maar een categorie verandert "
        "pas na twee opeenvolgende boekjaren aan dezelfde kant van een grens: de status is "
        "middelgrote kmo"
    )


def test_unknown_language_falls_back_to_dutch():
    answer = evaluate_sme_json(one_year(5, 1, 1), "fr")
    assert "JAE" in answer["reasons"][0]["message"]


def test_evaluate_on_typed_input_gives_decimals():
    result = evaluate_sme(parse_sme_input(one_year("12.5", "100.10", 3)))
    assert result.periods[0].aggregated.staff_awu == Decimal("12.50")
    assert result.periods[0].aggregated.turnover_eur == Decimal("100.10")
    assert isinstance(result.periods[0].aggregated.balance_sheet_eur, Decimal)


def test_exempt_investors_acting_jointly_with_control_lose_the_exemption_too():
    answer = evaluate_sme_json(
        one_year(
            1,
            1,
            1,
            [
                relation("B", 20, category="university", jointly=["D"], control=True),
                relation("D", 10, category="venture_capital"),
            ],
        ),
        "nl",
    )
    assert treatments(answer) == {"B": ("linked", "100.00"), "D": ("linked", "100.00")}
    assert answer["reasons"][1] == {
        "code": "EXEMPTION_LOST_ACTING_JOINTLY",
        "message": "100% van D toegevoegd (verbonden onderneming: B en D handelen samen en "
        "hebben zeggenschap, dus vervalt de vrijstelling als investeerder)",
    }
