"""The contract's examples, reproduced field by field (shared/contracts/eligibility.md)."""

from __future__ import annotations

import copy
import json

from csgrants.eligibility import evaluate_de_minimis_json, evaluate_sme_json

from .builders import CONTRACT_DE_MINIMIS, CONTRACT_SME


def test_sme_example_answer():
    answer = evaluate_sme_json(CONTRACT_SME, lang="en")
    assert list(answer) == [
        "is_sme",
        "category",
        "status",
        "aggregated",
        "periods",
        "relations",
        "reasons",
    ]
    assert answer["is_sme"] is True
    assert answer["category"] == "medium"
    assert answer["status"] == "partner"
    assert answer["aggregated"] == {
        "year_end": "2024-12-31",
        "staff_awu": "240.00",
        "turnover_eur": "42000000.00",
        "balance_sheet_eur": "51000000.00",
    }
    # Oldest first; C has no 2023 figures, so 2023 is A's own.
    assert answer["periods"] == [
        {
            "year_end": "2023-12-31",
            "category": "medium",
            "aggregated": {
                "staff_awu": "170.00",
                "turnover_eur": "28000000.00",
                "balance_sheet_eur": "44000000.00",
            },
        },
        {
            "year_end": "2024-12-31",
            "category": "medium",
            "aggregated": {
                "staff_awu": "240.00",
                "turnover_eur": "42000000.00",
                "balance_sheet_eur": "51000000.00",
            },
        },
    ]
    assert answer["relations"] == [{"name": "C", "treatment": "partner", "share_pct": "30.00"}]
    assert answer["reasons"][0] == {
        "code": "PARTNER_AGGREGATED",
        "message": "30% of C added (partner enterprise)",
    }
    assert [r["code"] for r in answer["reasons"]] == ["PARTNER_AGGREGATED", "CATEGORY_MEDIUM"]


def test_sme_example_in_dutch_is_the_default():
    answer = evaluate_sme_json(CONTRACT_SME)
    assert answer["reasons"] == [
        {"code": "PARTNER_AGGREGATED", "message": "30% van C toegevoegd (partneronderneming)"},
        {
            "code": "CATEGORY_MEDIUM",
            "message": "240 JAE, omzet € 42.000.000,00 (boekjaar 2024): middelgrote kmo",
        },
    ]


def test_de_minimis_example_answer():
    assert evaluate_de_minimis_json(CONTRACT_DE_MINIMIS) == {
        "eligible": True,
        "regulation": "2023/2831",
        "ceiling_eur": "300000.00",
        "window_start": "2021-03-02",
        "window_end": "2024-03-01",
        "cumulated_eur": "190000.00",
        "headroom_eur": "110000.00",
        "counted_aid": [
            {
                "granted_on": "2022-05-01",
                "amount_eur": "190000.00",
                "description": "kmo-portefeuille",
            }
        ],
    }


def test_answers_are_json_and_inputs_are_left_alone():
    sme_in, dm_in = copy.deepcopy(CONTRACT_SME), copy.deepcopy(CONTRACT_DE_MINIMIS)
    json.dumps(evaluate_sme_json(sme_in))
    json.dumps(evaluate_de_minimis_json(dm_in))
    assert sme_in == CONTRACT_SME
    assert dm_in == CONTRACT_DE_MINIMIS


def test_money_as_number_or_string_gives_the_same_answer():
    as_numbers = copy.deepcopy(CONTRACT_SME)
    for p in as_numbers["enterprise"]["periods"]:
        p["turnover_eur"] = int(p["turnover_eur"])
        p["balance_sheet_eur"] = float(p["balance_sheet_eur"])
    assert evaluate_sme_json(as_numbers) == evaluate_sme_json(CONTRACT_SME)
    dm = {**CONTRACT_DE_MINIMIS, "amount_eur": 15000}
    assert evaluate_de_minimis_json(dm) == evaluate_de_minimis_json(CONTRACT_DE_MINIMIS)
