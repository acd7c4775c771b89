"""The formal checks run at submission (checks.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from csgrants.eligibility.checks import (
    CheckOutcome,
    check_budget_available,
    check_de_minimis,
    check_enterprise_number,
    check_flemish_region,
    check_kind_admitted,
    check_negative_equity,
    check_package_and_cost,
    check_public_participation,
    check_recent_trajectory,
    check_sme,
)
from csgrants.eligibility.types import AidItem

from .builders import CONTRACT_SME, one_year, relation


def test_outcome_is_validated_and_serialisable():
    with pytest.raises(ValueError):
        CheckOutcome("X", "maybe", "", "")
    outcome = check_budget_available(Decimal("10"), Decimal("5"))
    assert json.loads(json.dumps(outcome.as_dict()))["outcome"] == "pass"
    assert outcome.message("en") == outcome.message_en
    assert outcome.message() == outcome.message_nl


@pytest.mark.parametrize(
    ("valid", "number", "outcome", "reason"),
    [
        (True, "0417.497.106", "pass", None),
        (False, "0417.497.107", "fail", "INCOMPLETE_FILE"),
        (False, "", "fail", "INCOMPLETE_FILE"),
        (True, None, "fail", "INCOMPLETE_FILE"),
    ],
)
def test_enterprise_number(valid, number, outcome, reason):
    result = check_enterprise_number(valid, number)
    assert (result.code, result.outcome, result.reason_code) == (
        "ENTERPRISE_NUMBER",
        outcome,
        reason,
    )
    if number:
        assert number in result.message_nl and number in result.message_en


def test_kind_admitted():
    ok = check_kind_admitted("maatwerkbedrijf", ["kmo", "maatwerkbedrijf"])
    assert (ok.code, ok.outcome) == ("KIND_ADMITTED", "pass")
    no = check_kind_admitted("maatwerkbedrijf", ["kmo"])
    assert no.outcome == "fail"
    assert no.message_nl == "Soort onderneming maatwerkbedrijf is niet toegelaten (toegelaten: kmo)"
    assert no.message_en == (
        "Enterprise kind maatwerkbedrijf (social-economy enterprise) is not admitted "
        "(admitted: SME)"
    )


class TestSme:
    def test_without_figures_only_the_declaration_backs_it(self):
        result = check_sme(None, "kmo")
        assert (result.code, result.outcome) == ("SME", "warn")
        assert "verklaring op eer" in result.message_nl
        assert "declaration on honour" in result.message_en

    def test_maatwerkbedrijf_passes_without_figures(self):
        assert check_sme(None, "maatwerkbedrijf").outcome == "pass"

    def test_figures_of_an_sme_pass_and_keep_the_answer(self):
        result = check_sme(CONTRACT_SME, "kmo")
        assert result.outcome == "pass"
        assert result.message_nl.startswith("Kmo (middelgrote kmo): 30% van C toegevoegd")
        assert result.message_en.startswith("SME (medium-sized SME): 30% of C added")
        assert result.inputs["answer"]["category"] == "medium"
        assert result.inputs["figures"] is CONTRACT_SME
        json.dumps(result.as_dict())

    def test_large_enterprise_fails_as_not_sme(self):
        result = check_sme(one_year(300, 60_000_000, 60_000_000), "kmo")
        assert (result.outcome, result.reason_code) == ("fail", "NOT_SME")
        assert result.message_en.startswith("Not an SME: 300 AWU (250 or more)")

    def test_public_body_fails_with_its_own_reason(self):
        data = one_year(10, 1, 1, [relation("Stad", 30, category="public_body")])
        result = check_sme(data, "kmo")
        assert (result.outcome, result.reason_code) == ("fail", "PUBLIC_BODY_CONTROL")

    def test_the_application_kind_governs_over_the_figures(self):
        large_declared_exempt = one_year(300, 60_000_000, 60_000_000, kind="maatwerkbedrijf")
        assert check_sme(large_declared_exempt, "kmo").outcome == "fail"
        assert check_sme(one_year(300, 1, 1), "maatwerkbedrijf").outcome == "pass"

    def test_bad_figures_warn_naming_the_field(self):
        data = one_year(-1, 1, 1)
        result = check_sme(data, "kmo")
        assert result.outcome == "warn"
        assert "enterprise.periods[0].staff_awu" in result.message_en
        assert check_sme("not json", "kmo").outcome == "warn"


@pytest.mark.parametrize(
    ("pct", "outcome", "message_nl"),
    [
        (0, "pass", "Publieke participatie 0% ligt onder 25%"),
        (Decimal("24.99"), "pass", "Publieke participatie 24,99% ligt onder 25%"),
        ("25", "fail", "Publieke participatie 25% is 25% of meer"),
        (100, "fail", "Publieke participatie 100% is 25% of meer"),
        (None, "warn", "Publieke participatie niet opgegeven"),
        (101, "warn", "Publieke participatie 101% is geen percentage tussen 0 en 100"),
    ],
)
def test_public_participation(pct, outcome, message_nl):
    result = check_public_participation(pct)
    assert (result.code, result.outcome, result.message_nl) == (
        "PUBLIC_PARTICIPATION",
        outcome,
        message_nl,
    )
    assert result.reason_code == ("PUBLIC_BODY_CONTROL" if outcome == "fail" else None)


def test_public_participation_from_json_numbers_and_not_bools():
    """Declarations are stored as JSON, so a percentage may come back as a float."""
    assert check_public_participation(24.9).message_nl == (
        "Publieke participatie 24,9% ligt onder 25%"
    )
    with pytest.raises(ValueError):
        check_public_participation(float("inf"))
    with pytest.raises(TypeError):
        check_public_participation(True)
    with pytest.raises(ValueError):
        check_public_participation("veel")


@pytest.mark.parametrize(
    ("flag", "outcome", "reason"),
    [(True, "fail", "NEGATIVE_EQUITY"), (False, "pass", None), (None, "warn", None)],
)
def test_negative_equity(flag, outcome, reason):
    result = check_negative_equity(flag)
    assert (result.code, result.outcome, result.reason_code) == ("NEGATIVE_EQUITY", outcome, reason)


@pytest.mark.parametrize(
    ("seat", "units", "outcome"),
    [
        ("flanders", [], "pass"),
        ("brussels", ["wallonia", "flanders"], "pass"),
        (None, ["flanders"], "pass"),
        ("brussels", [], "fail"),
        ("wallonia", ["brussels", "wallonia"], "fail"),
        (None, [], "warn"),
        ("brussels", [None], "warn"),
        ("", ["wallonia"], "warn"),
    ],
)
def test_flemish_region(seat, units, outcome):
    result = check_flemish_region(seat, units)
    assert (result.code, result.outcome) == ("FLEMISH_REGION", outcome)
    assert result.reason_code == ("OUTSIDE_FLEMISH_REGION" if outcome == "fail" else None)


def test_flemish_region_messages():
    fail = check_flemish_region("wallonia", ["brussels"])
    assert fail.message_nl == (
        "Zetel en vestigingseenheden liggen buiten het Vlaams Gewest "
        "(Brussels Hoofdstedelijk Gewest, Waals Gewest)"
    )
    unit = check_flemish_region("brussels", ["flanders"])
    assert unit.message_en == (
        "Establishment unit in the Flemish Region (registered office: Brussels-Capital Region)"
    )
    with pytest.raises(ValueError):
        check_flemish_region("vlaanderen", [])


class TestRecentTrajectory:
    def test_none_before(self):
        result = check_recent_trajectory([], date(2024, 2, 1))
        assert (result.code, result.outcome) == ("RECENT_TRAJECTORY", "pass")
        assert result.message_nl == "Geen traject goedgekeurd in de 4 jaar voor 01/02/2024"

    def test_another_pending_file_warns_without_naming_it(self):
        result = check_recent_trajectory([], date(2024, 2, 1), pending_elsewhere=1)
        assert result.outcome == "warn" and "CS-" not in result.message_nl + result.message_en
        assert "ander dossier" in result.message_nl
        # An approval within the four years still fails, pending files or not.
        blocked = check_recent_trajectory(
            [("CS-2023-0001", date(2024, 3, 1))], date(2024, 2, 1), pending_elsewhere=1
        )
        assert blocked.outcome == "fail"

    def test_inside_four_years_fails_and_says_when_again(self):
        result = check_recent_trajectory([("CS-2021-0012", date(2021, 3, 15))], date(2024, 2, 1))
        assert (result.outcome, result.reason_code) == ("fail", "RECENT_TRAJECTORY")
        assert result.message_nl == (
            "Traject CS-2021-0012 goedgekeurd op 15/03/2021, minder dan 4 jaar voor de indiening "
            "op 01/02/2024 (opnieuw mogelijk vanaf 15/03/2025)"
        )

    @pytest.mark.parametrize(
        ("decided", "submitted", "outcome"),
        [
            (date(2020, 3, 15), date(2024, 3, 15), "pass"),  # exactly four years: allowed again
            (date(2020, 3, 16), date(2024, 3, 15), "fail"),
            (date(2020, 2, 29), date(2024, 2, 29), "pass"),
            (date(2020, 2, 29), date(2024, 2, 28), "fail"),
            (date(2024, 5, 1), date(2024, 3, 1), "fail"),  # a parallel file approved meanwhile
        ],
    )
    def test_boundaries(self, decided, submitted, outcome):
        assert check_recent_trajectory([("R", decided)], submitted).outcome == outcome

    def test_again_date_after_29_february_with_other_period(self):
        result = check_recent_trajectory([("R", date(2020, 2, 29))], date(2021, 2, 1), years=1)
        assert "opnieuw mogelijk vanaf 01/03/2021" in result.message_nl
        assert (
            check_recent_trajectory([("R", date(2020, 2, 29))], date(2021, 2, 28), 1).outcome
            == "fail"
        )
        assert (
            check_recent_trajectory([("R", date(2020, 2, 29))], date(2021, 3, 1), 1).outcome
            == "pass"
        )


class TestPackageAndCost:
    def test_cost_outside_range(self):
        result = check_package_and_cost(
            "PLUS", ["START", "MEDIUM", "PLUS"], Decimal("52000"), Decimal("9200"), Decimal("35000")
        )
        assert (result.code, result.outcome, result.reason_code) == (
            "PACKAGE_COST",
            "fail",
            "COST_OUT_OF_RANGE",
        )
        assert result.message_nl == (
            "Kostprijs € 52.000,00 ligt buiten het toegelaten bereik € 9.200,00 - € 35.000,00"
        )
        assert result.message_en == (
            "Cost €52,000.00 lies outside the admissible range €9,200.00 - €35,000.00"
        )

    @pytest.mark.parametrize(
        ("cost", "outcome"),
        [("9200", "pass"), ("35000", "pass"), ("9199.99", "fail"), ("35000.01", "fail")],
    )
    def test_bounds_included(self, cost, outcome):
        assert check_package_and_cost("START", ["START"], cost, 9200, 35000).outcome == outcome

    def test_package_not_admitted(self):
        result = check_package_and_cost("GOLD", ["START"], "20000", 9200, 35000)
        assert result.outcome == "fail"
        assert result.message_nl == "Pakket GOLD is niet toegelaten (toegelaten: START)"

    def test_both_wrong_lists_both(self):
        result = check_package_and_cost("GOLD", ["START"], "1", 9200, 35000)
        assert result.message_en.count(";") == 1
        assert result.reason_code == "COST_OUT_OF_RANGE"

    def test_pass_message_and_open_bounds(self):
        result = check_package_and_cost("MEDIUM", ["MEDIUM"], "20000", "9200", None)
        assert result.outcome == "pass"
        assert result.message_nl == (
            "Pakket MEDIUM is toegelaten; kostprijs € 20.000,00 ligt binnen het toegelaten "
            "bereik vanaf € 9.200,00"
        )
        assert result.inputs == {
            "package_code": "MEDIUM",
            "admitted_packages": ["MEDIUM"],
            "cost": "20000.00",
            "min_cost": "9200.00",
            "max_cost": None,
        }

    def test_missing_cost(self):
        result = check_package_and_cost("MEDIUM", ["MEDIUM"], None, 1, 2)
        assert (result.outcome, result.reason_code) == ("fail", "INCOMPLETE_FILE")


class TestDeMinimis:
    DECLARED = [
        {"granted_on": "2022-05-01", "amount_eur": "190000.00", "description": "kmo-portefeuille"}
    ]

    def test_pass_within_ceiling(self):
        result = check_de_minimis(date(2024, 3, 1), Decimal("15000"), self.DECLARED, [])
        assert (result.code, result.outcome) == ("DE_MINIMIS", "pass")
        assert result.inputs["answer"]["headroom_eur"] == "110000.00"
        assert "binnen het plafond van € 300.000,00" in result.message_nl

    def test_own_grants_are_added(self):
        ours = [AidItem(date(2023, 1, 10), Decimal("100000.00"), "CS-verbetertraject")]
        result = check_de_minimis(date(2024, 3, 1), Decimal("15000"), self.DECLARED, ours)
        assert (result.outcome, result.reason_code) == ("fail", "DE_MINIMIS_CEILING")
        assert result.inputs["answer"]["cumulated_eur"] == "290000.00"

    def test_own_grant_also_declared_counts_once(self):
        ours = [AidItem(date(2022, 5, 1), Decimal("190000.00"), "ours")]
        result = check_de_minimis("2024-03-01", "15000", self.DECLARED, ours)
        assert result.outcome == "pass"
        assert result.inputs["answer"]["cumulated_eur"] == "190000.00"
        assert "counted once" in result.message_en

    def test_two_equal_own_grants_match_one_declared_item_only(self):
        ours = [AidItem(date(2022, 5, 1), Decimal("190000.00"))] * 2
        result = check_de_minimis("2024-03-01", "15000", self.DECLARED, ours)
        assert result.inputs["answer"]["cumulated_eur"] == "380000.00"
        assert result.outcome == "fail"

    def test_nothing_declared_warns_but_can_still_fail(self):
        assert check_de_minimis("2024-03-01", "15000", None, []).outcome == "warn"
        big = [{"granted_on": "2023-01-01", "amount_eur": "299000"}]
        assert check_de_minimis("2024-03-01", "15000", None, big).outcome == "fail"

    def test_bad_data_warns(self):
        result = check_de_minimis("2024-03-01", "15000", [{"granted_on": "yesterday"}], [])
        assert result.outcome == "warn"
        assert "prior_aid[0].granted_on" in result.message_en


@pytest.mark.parametrize(
    ("available", "amount", "outcome"),
    [
        (Decimal("15000"), Decimal("15000"), "pass"),
        (Decimal("14999.99"), Decimal("15000"), "fail"),
        (0, 0, "pass"),
    ],
)
def test_budget(available, amount, outcome):
    result = check_budget_available(available, amount)
    assert (result.code, result.outcome) == ("BUDGET", outcome)
    if outcome == "fail":
        assert result.reason_code == "BUDGET_EXHAUSTED"
        assert result.message_nl == (
            "Beschikbaar budget € 14.999,99 is onvoldoende voor € 15.000,00"
        )
