"""Input that does not fit the contract gets an EligibilityInputError naming the field, never a
verdict, and never any other exception."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csgrants.eligibility import (
    EligibilityInputError,
    evaluate_de_minimis_json,
    evaluate_sme_json,
    parse_de_minimis_input,
    parse_sme_input,
)

from .builders import CONTRACT_DE_MINIMIS, CONTRACT_SME, relation


@pytest.fixture(autouse=True)
def _english():
    """The messages below are the English ones; Dutch is the default (test at the end)."""
    with translation.override("en"):
        yield


def _set(data: dict, path: list, value: Any) -> dict:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()
E0 = ["enterprise", "periods", 0]
R0 = ["relations", 0]

SME_CASES = [
    # (id, path, value, field named, words in the message)
    ("root not an object", None, [1, 2], "(root)", "object"),
    ("enterprise missing", ["enterprise"], _DELETE, "enterprise", "required"),
    ("enterprise not an object", ["enterprise"], "A", "enterprise", "object"),
    ("kind missing", ["enterprise", "kind"], _DELETE, "enterprise.kind", "required"),
    ("kind unknown", ["enterprise", "kind"], "vzw", "enterprise.kind", "unknown"),
    ("name not a string", ["enterprise", "name"], 12, "enterprise.name", "string"),
    ("periods missing", ["enterprise", "periods"], _DELETE, "enterprise.periods", "required"),
    ("periods empty", ["enterprise", "periods"], [], "enterprise.periods", "at least one"),
    ("periods not a list", ["enterprise", "periods"], {}, "enterprise.periods", "list"),
    ("period not an object", [*E0], 5, "enterprise.periods[0]", "object"),
    ("year_end missing", [*E0, "year_end"], _DELETE, "enterprise.periods[0].year_end", "required"),
    (
        "year_end not ISO",
        [*E0, "year_end"],
        "31/12/2024",
        "enterprise.periods[0].year_end",
        "YYYY-MM-DD",
    ),
    (
        "year_end basic format",
        [*E0, "year_end"],
        "20241231",
        "enterprise.periods[0].year_end",
        "YYYY-MM-DD",
    ),
    (
        "year_end not on calendar",
        [*E0, "year_end"],
        "2023-02-29",
        "enterprise.periods[0].year_end",
        "calendar",
    ),
    ("year_end a number", [*E0, "year_end"], 2024, "enterprise.periods[0].year_end", "YYYY-MM-DD"),
    (
        "year_end out of range",
        [*E0, "year_end"],
        "0001-12-31",
        "enterprise.periods[0].year_end",
        "1900",
    ),
    ("staff negative", [*E0, "staff_awu"], -1, "enterprise.periods[0].staff_awu", "negative"),
    ("staff boolean", [*E0, "staff_awu"], True, "enterprise.periods[0].staff_awu", "boolean"),
    ("staff NaN", [*E0, "staff_awu"], float("nan"), "enterprise.periods[0].staff_awu", "finite"),
    (
        "staff NaN text",
        [*E0, "staff_awu"],
        "NaN",
        "enterprise.periods[0].staff_awu",
        "not a number",
    ),
    (
        "turnover Infinity",
        [*E0, "turnover_eur"],
        float("inf"),
        "enterprise.periods[0].turnover_eur",
        "finite",
    ),
    (
        "turnover text",
        [*E0, "turnover_eur"],
        "dertig",
        "enterprise.periods[0].turnover_eur",
        "not a number",
    ),
    (
        "turnover with comma",
        [*E0, "turnover_eur"],
        "1.000,00",
        "enterprise.periods[0].turnover_eur",
        "not a number",
    ),
    (
        "turnover absurd",
        [*E0, "turnover_eur"],
        "1e14",  # an exponent is not how anyone writes an amount (core.money)
        "enterprise.periods[0].turnover_eur",
        "not a number",
    ),
    (
        "turnover huge int",
        [*E0, "turnover_eur"],
        10**400,
        "enterprise.periods[0].turnover_eur",
        "10^13",
    ),
    (
        "turnover fractions of cents",
        [*E0, "turnover_eur"],
        "1.001",
        "enterprise.periods[0].turnover_eur",
        "decimals",
    ),
    (
        "balance missing",
        [*E0, "balance_sheet_eur"],
        _DELETE,
        "enterprise.periods[0].balance_sheet_eur",
        "required",
    ),
    (
        "balance null",
        [*E0, "balance_sheet_eur"],
        None,
        "enterprise.periods[0].balance_sheet_eur",
        "required",
    ),
    (
        "balance a list",
        [*E0, "balance_sheet_eur"],
        [1],
        "enterprise.periods[0].balance_sheet_eur",
        "list",
    ),
    (
        "two periods in one year",
        ["enterprise", "periods", 1, "year_end"],
        "2024-06-30",
        "enterprise.periods[1].year_end",
        "2024",
    ),
    ("relations not a list", ["relations"], {"name": "C"}, "relations", "list"),
    ("relation not an object", [*R0], "C", "relations[0]", "object"),
    ("relation name missing", [*R0, "name"], _DELETE, "relations[0].name", "required"),
    ("relation name empty", [*R0, "name"], "  ", "relations[0].name", "empty"),
    ("direction unknown", [*R0, "direction"], "sideways", "relations[0].direction", "unknown"),
    ("direction missing", [*R0, "direction"], _DELETE, "relations[0].direction", "required"),
    (
        "capital over 100",
        [*R0, "capital_pct"],
        100.5,
        "relations[0].capital_pct",
        "between 0 and 100",
    ),
    ("capital negative", [*R0, "capital_pct"], -1, "relations[0].capital_pct", "between 0 and 100"),
    ("voting missing", [*R0, "voting_pct"], _DELETE, "relations[0].voting_pct", "required"),
    (
        "voting as text over 100",
        [*R0, "voting_pct"],
        "101",
        "relations[0].voting_pct",
        "between 0 and 100",
    ),
    ("control not a boolean", [*R0, "control"], "yes", "relations[0].control", "true or false"),
    (
        "investor category unknown",
        [*R0, "investor_category"],
        "bank",
        "relations[0].investor_category",
        "unknown",
    ),
    (
        "investor category not text",
        [*R0, "investor_category"],
        3,
        "relations[0].investor_category",
        "one of",
    ),
    (
        "business angel without investment",
        [*R0, "investor_category"],
        "business_angel",
        "relations[0].investment_eur",
        "business_angel",
    ),
    (
        "investment negative",
        [*R0, "investment_eur"],
        "-5",
        "relations[0].investment_eur",
        "negative",
    ),
    (
        "jointly not a list",
        [*R0, "acting_jointly_with"],
        "B",
        "relations[0].acting_jointly_with",
        "list",
    ),
    (
        "jointly unknown name",
        [*R0, "acting_jointly_with"],
        ["Z"],
        "relations[0].acting_jointly_with[0]",
        "no relation named",
    ),
    (
        "jointly itself",
        [*R0, "acting_jointly_with"],
        ["C"],
        "relations[0].acting_jointly_with[0]",
        "itself",
    ),
    (
        "jointly not a name",
        [*R0, "acting_jointly_with"],
        [1],
        "relations[0].acting_jointly_with[0]",
        "name",
    ),
    (
        "relation period bad date",
        [*R0, "periods", 0, "year_end"],
        "2024-13-01",
        "relations[0].periods[0].year_end",
        "calendar",
    ),
    (
        "relation period negative",
        [*R0, "periods", 0, "staff_awu"],
        "-0.5",
        "relations[0].periods[0].staff_awu",
        "negative",
    ),
    ("relation periods not a list", [*R0, "periods"], 3, "relations[0].periods", "list"),
]


def _two_periods() -> dict:
    data = copy.deepcopy(CONTRACT_SME)
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [c[1:] for c in SME_CASES],
    ids=[c[0] for c in SME_CASES],
)
def test_invalid_sme_input_names_the_field(path, value, field, words):
    data = value if path is None else _set(_two_periods(), path, value)
    with pytest.raises(EligibilityInputError) as info:
        evaluate_sme_json(data)
    fields = [f for f, _ in info.value.errors]
    assert field in fields, info.value.errors
    message = dict(info.value.errors)[field]
    assert words in message
    assert info.value.field == info.value.errors[0][0]
    assert field in str(info.value)


def test_duplicate_relation_names():
    data = copy.deepcopy(CONTRACT_SME)
    data["relations"].append(relation("C", 10))
    with pytest.raises(EligibilityInputError) as info:
        parse_sme_input(data)
    assert info.value.errors == [("relations[1].name", "duplicate name 'C' (also relations[0])")]


def test_acting_jointly_with_a_downstream_relation_does_not_fit():
    data = copy.deepcopy(CONTRACT_SME)
    data["relations"] = [
        relation("B", 30, jointly=["S"]),
        relation("S", 30, direction="downstream"),
    ]
    with pytest.raises(EligibilityInputError) as info:
        parse_sme_input(data)
    assert info.value.field == "relations[0].acting_jointly_with[0]"
    assert "upstream" in info.value.message


def test_all_errors_are_collected():
    data = copy.deepcopy(CONTRACT_SME)
    data["enterprise"]["kind"] = "x"
    data["enterprise"]["periods"][1]["staff_awu"] = -3
    data["relations"][0]["capital_pct"] = 200
    with pytest.raises(EligibilityInputError) as info:
        parse_sme_input(data)
    assert [f for f, _ in info.value.errors] == [
        "enterprise.kind",
        "enterprise.periods[1].staff_awu",
        "relations[0].capital_pct",
    ]
    assert info.value.as_dict()["errors"][0] == {
        "field": "enterprise.kind",
        "message": "unknown value 'x'; expected one of kmo, maatwerkbedrijf",
    }


def test_lenient_where_the_contract_allows():
    """Optional fields may be left out or null; unknown fields are ignored; numbers may be
    strings with spaces around, integers or floats (an exponent is refused: see "turnover absurd")."""
    data = {
        "enterprise": {
            "kind": "kmo",
            "periods": [
                {
                    "year_end": "2024-12-31",
                    "staff_awu": " 12.5 ",
                    "turnover_eur": 1000.1,
                    "balance_sheet_eur": "2000",  # not "2E+3": no exponent (core.money)
                    "note": "ignored",
                }
            ],
        },
        "relations": [
            {
                "name": "C",
                "direction": "upstream",
                "capital_pct": "30",
                "voting_pct": 0,
                "control": None,
                "periods": None,
            }
        ],
        "extra": True,
    }
    answer = evaluate_sme_json(data)
    assert answer["aggregated"]["turnover_eur"] == "1000.10"
    assert answer["aggregated"]["balance_sheet_eur"] == "2000.00"
    assert answer["relations"] == [{"name": "C", "treatment": "partner", "share_pct": "30.00"}]
    assert evaluate_sme_json({**data, "relations": None})["relations"] == []


def test_minus_zero_is_zero():
    data = _set(CONTRACT_SME, [*E0, "turnover_eur"], "-0.00")
    answer = evaluate_sme_json(data)
    assert answer["periods"][1]["aggregated"]["turnover_eur"] == "12000000.00"


DE_MINIMIS_CASES = [
    ("root not an object", None, "x", "(root)", "object"),
    ("grant date missing", ["grant_date"], _DELETE, "grant_date", "required"),
    ("grant date not ISO", ["grant_date"], "01/03/2024", "grant_date", "YYYY-MM-DD"),
    ("grant date impossible", ["grant_date"], "2023-02-29", "grant_date", "calendar"),
    ("amount missing", ["amount_eur"], _DELETE, "amount_eur", "required"),
    ("amount negative", ["amount_eur"], "-1", "amount_eur", "negative"),
    ("amount boolean", ["amount_eur"], False, "amount_eur", "boolean"),
    ("amount Infinity text", ["amount_eur"], "Infinity", "amount_eur", "not a number"),
    ("amount absurd", ["amount_eur"], 1e300, "amount_eur", "10^13"),
    ("amount fractions of cents", ["amount_eur"], "0.001", "amount_eur", "decimals"),
    ("fiscal year end not MM-DD", ["fiscal_year_end"], "12/31", "fiscal_year_end", "MM-DD"),
    ("fiscal year end a full date", ["fiscal_year_end"], "2024-12-31", "fiscal_year_end", "MM-DD"),
    ("fiscal year end impossible", ["fiscal_year_end"], "02-30", "fiscal_year_end", "not a day"),
    ("fiscal year end month 13", ["fiscal_year_end"], "13-01", "fiscal_year_end", "not a day"),
    ("fiscal year end a number", ["fiscal_year_end"], 1231, "fiscal_year_end", "MM-DD"),
    ("prior aid not a list", ["prior_aid"], {}, "prior_aid", "list"),
    ("prior aid item not an object", ["prior_aid", 0], "x", "prior_aid[0]", "object"),
    (
        "prior aid date missing",
        ["prior_aid", 0, "granted_on"],
        _DELETE,
        "prior_aid[0].granted_on",
        "required",
    ),
    (
        "prior aid date bad",
        ["prior_aid", 0, "granted_on"],
        "2022-5-1",
        "prior_aid[0].granted_on",
        "YYYY-MM-DD",
    ),
    (
        "prior aid amount negative",
        ["prior_aid", 0, "amount_eur"],
        -190000,
        "prior_aid[0].amount_eur",
        "negative",
    ),
    (
        "prior aid description not text",
        ["prior_aid", 0, "description"],
        5,
        "prior_aid[0].description",
        "string",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [c[1:] for c in DE_MINIMIS_CASES],
    ids=[c[0] for c in DE_MINIMIS_CASES],
)
def test_invalid_de_minimis_input_names_the_field(path, value, field, words):
    data = value if path is None else _set(CONTRACT_DE_MINIMIS, path, value)
    with pytest.raises(EligibilityInputError) as info:
        evaluate_de_minimis_json(data)
    assert field in [f for f, _ in info.value.errors], info.value.errors
    assert words in dict(info.value.errors)[field]


def test_fiscal_year_end_null_means_default():
    answer = evaluate_de_minimis_json({**CONTRACT_DE_MINIMIS, "fiscal_year_end": None})
    assert answer["window_start"] == "2021-03-02"
    assert parse_de_minimis_input({**CONTRACT_DE_MINIMIS, "prior_aid": None}).prior_aid == ()


def test_error_without_arguments_still_has_a_field():
    error = EligibilityInputError()
    assert error.errors == [("(root)", "invalid input")]
    assert error.field == "(root)"


# ---------------------------------------------------------------------------------------------
# Fuzzing: nothing but EligibilityInputError, whatever arrives

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2024-12-31",
            "2024-02-29",
            "12-31",
            "02-29",
            "kmo",
            "maatwerkbedrijf",
            "upstream",
            "downstream",
            "business_angel",
            "public_body",
            "university",
            "C",
            "1e5",
            "NaN",
            "-0",
            "30",
            "1249999.99",
            "0001-01-01",
            "9999-12-31",
        ]
    ),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)

SME_KEYS = [
    "enterprise",
    "relations",
    "kind",
    "name",
    "periods",
    "year_end",
    "staff_awu",
    "turnover_eur",
    "balance_sheet_eur",
    "direction",
    "capital_pct",
    "voting_pct",
    "control",
    "investor_category",
    "investment_eur",
    "acting_jointly_with",
]
DM_KEYS = ["grant_date", "amount_eur", "fiscal_year_end", "prior_aid", "granted_on", "description"]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON tree that a mutation may replace."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    value = copy.deepcopy(value)
    target = value
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return value


def _only_input_errors(call, data) -> None:
    try:
        answer = call(data)
    except EligibilityInputError as error:
        assert error.errors and all(isinstance(f, str) and m for f, m in error.errors)
    else:
        assert isinstance(answer, dict)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_fuzz_arbitrary_json(data):
    _only_input_errors(evaluate_sme_json, data)
    _only_input_errors(evaluate_de_minimis_json, data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(SME_KEYS + DM_KEYS), json_values, max_size=6))
def test_fuzz_dicts_with_contract_keys(data):
    _only_input_errors(evaluate_sme_json, data)
    _only_input_errors(evaluate_de_minimis_json, data)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutations_of_valid_input(data):
    """Deep mutations reach the inner validators that random trees rarely get to."""
    for base, call in (
        (CONTRACT_SME, evaluate_sme_json),
        (CONTRACT_DE_MINIMIS, evaluate_de_minimis_json),
    ):
        mutated = base
        for _ in range(data.draw(st.integers(1, 3))):
            path = data.draw(st.sampled_from(_paths(mutated)))
            mutated = _replace(mutated, path, data.draw(json_values))
        _only_input_errors(call, mutated)


def test_naming_a_relation_that_failed_elsewhere_is_not_a_second_error():
    data = copy.deepcopy(CONTRACT_SME)
    data["relations"] = [relation("B", 30, jointly=["D"]), relation("D", 130)]
    with pytest.raises(EligibilityInputError) as info:
        parse_sme_input(data)
    assert [f for f, _ in info.value.errors] == [
        "relations[1].capital_pct",
        "relations[1].voting_pct",
    ]


def test_typed_input_without_periods_is_refused_too():
    from csgrants.eligibility import evaluate_sme
    from csgrants.eligibility.types import EnterpriseFigures, EnterpriseKind, SmeInput

    with pytest.raises(EligibilityInputError) as info:
        evaluate_sme(SmeInput(EnterpriseFigures(EnterpriseKind.KMO, ())))
    assert info.value.field == "enterprise.periods"


def test_the_messages_follow_the_active_language():
    data = _set(CONTRACT_DE_MINIMIS, ["grant_date"], "2024-3-1")
    with translation.override("nl"), pytest.raises(EligibilityInputError) as dutch:
        parse_de_minimis_input(data)
    assert dutch.value.errors == [
        ("grant_date", "moet een datum zijn in de vorm JJJJ-MM-DD; '2024-3-1' is dat niet")
    ]
    with pytest.raises(EligibilityInputError) as english:
        parse_de_minimis_input(data)
    assert english.value.errors == [
        ("grant_date", "must be a date written YYYY-MM-DD; '2024-3-1' is not")
    ]
