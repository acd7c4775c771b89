"""The sample history reproduces the figures the minister published (question 425, 2023)."""

from decimal import Decimal
from pathlib import Path

import pytest

from csgrants.imports.services import history_import
from csgrants.reporting.selectors import build_report

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "history"


@pytest.fixture
def history(db):
    return history_import(FIXTURES)


def test_sample_history_reproduces_the_published_figures(history):
    report = build_report([2021, 2022])
    y21, y22 = report["years"]["2021"], report["years"]["2022"]
    assert (y21["enterprises_reached"], y21["grant_equivalent_eur"]) == (60, "942264.00")
    assert (y22["enterprises_reached"], y22["grant_equivalent_eur"]) == (43, "667649.00")
    # 103 enterprises over both years, one of them a maatwerkbedrijf.
    kinds = [y["approved"]["by_enterprise_kind"] for y in (y21, y22)]
    assert sum(k.get("maatwerkbedrijf", 0) for k in kinds) == 1
    assert sum(k.get("kmo", 0) for k in kinds) == 102
    # 7 and 15 light (now MEDIUM) trajectories.
    assert y21["approved"]["by_package"]["MEDIUM"] == 7
    assert y22["approved"]["by_package"]["MEDIUM"] == 15
    # 8 and 2 amendments; 17 enterprises used extension packages.
    assert y21["amendments"]["upgrades"] + y21["amendments"]["extensions"] == 8
    assert y22["amendments"]["upgrades"] + y22["amendments"]["extensions"] == 2
    assert (
        y21["amendments"]["enterprises_with_extensions"]
        + y22["amendments"]["enterprises_with_extensions"]
        == 17
    )
    # Exactly two refusals, both NOT_SME.
    assert y21["rejected"]["total"] + y22["rejected"]["total"] == 2
    assert y21["top_rejection_reasons"] == [{"code": "NOT_SME", "count": 1}]
    assert y22["top_rejection_reasons"] == [{"code": "NOT_SME", "count": 1}]
    # Budget: EUR 4,000,000 framework in 2021, the EUR 500,000 top-up in 2022.
    assert y21["budget"]["allocated_eur"] == "4000000.00"
    assert y22["budget"]["allocated_eur"] == "500000.00"
    # Every approval committed its subsidy: the ledger agrees with the grant equivalent.
    assert y21["budget"]["committed_eur"] == "942264.00"
    assert y22["budget"]["committed_eur"] == "667649.00"
    # The agency decides within 10 working days.
    for y in (y21, y22):
        assert y["processing"]["within_sla"] == y["processing"]["decided"] > 0
        assert y["processing"]["max_working_days"] <= 10
        assert set(y["approved"]["by_province"]) <= {
            "BE-VAN",
            "BE-VLI",
            "BE-VOV",
            "BE-VBR",
            "BE-VWV",
        }
    assert Decimal(report["years"]["2021"]["approved"]["subsidy_eur"]) < Decimal("942264.00")


def test_the_2023_top_up_is_budget_of_2023(history):
    y23 = build_report([2023])["years"]["2023"]
    assert y23["budget"]["allocated_eur"] == "300000.00"
    assert y23["approved"]["total"] == 1  # submitted 28/12/2022, decided in January 2023
