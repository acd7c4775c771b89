"""The policy's plausible bounds through the API (issue 20, contracts/api.md: "cost_eur must lie
within the range the policy in force allows for what is filed (package plus extensions); 0,
negative and absurd amounts answer 400 naming cost_eur")."""

from __future__ import annotations

import copy

import pytest
import time_machine

from csgrants.applications.models import Application
from csgrants.budgets.models import LedgerEntry

from .conftest import CREATE_BODY

URL = "/api/v1/applications/"
# The 2023 policy is in force: 50%, a trajectory of EUR 9,200 to 35,000.
TODAY = "2025-06-02 10:00 +0000"


def body(**changes):
    data = copy.deepcopy(CREATE_BODY)
    data.update(changes)
    return data


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("submit", [True, False], ids=["submitted", "draft"])
@pytest.mark.parametrize(
    "cost", ["0", "0.00", 0, "9199.99", "35000.01", "999999999999.99", 999999999999.99]
)
def test_a_cost_outside_the_policys_range_answers_400_naming_cost_eur(
    provider_client, cost, submit
):
    r = provider_client.post(
        URL, body(cost_eur=cost, submit=submit), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 400, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "COST_OUT_OF_RANGE"
    assert [e["field"] for e in problem["errors"]] == ["cost_eur"]
    message = problem["errors"][0]["message"]
    assert "€9,200.00 to €35,000.00" in message or "more than zero" in message, message
    assert not Application.objects.exists()
    assert not LedgerEntry.objects.exists()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("cost", ["9200.00", "35000.00", 35000])
def test_the_bounds_of_the_range_are_admitted(provider_client, cost):
    r = provider_client.post(URL, body(cost_eur=cost, submit=False), format="json")
    assert r.status_code == 201, r.content


@time_machine.travel(TODAY, tick=False)
def test_an_extension_counts_within_the_same_range(provider_client):
    """The range is that of the trajectory: package and extensions together."""
    r = provider_client.post(
        URL,
        body(package="PLUS", extensions=["EXTENSION"], cost_eur="38500.00", submit=False),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400, r.content
    assert r.json()["errors"][0]["field"] == "cost_eur"
    r = provider_client.post(
        URL,
        body(package="PLUS", extensions=["EXTENSION"], cost_eur="35000.00", submit=False),
        format="json",
    )
    assert r.status_code == 201, r.content


@time_machine.travel(TODAY, tick=False)
def test_changing_a_drafts_cost_keeps_to_the_range(provider_client):
    r = provider_client.post(URL, body(submit=False), format="json")
    reference = r.json()["reference"]
    r = provider_client.patch(f"{URL}{reference}/", {"cost_eur": "999999999999.99"}, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["errors"][0]["field"] == "cost_eur"
    assert str(Application.objects.get().cost_eur) == "24000.00"


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("cost", ["9,200.00", "9.200,00", "1e5", "9200.", ".5", "+9200"])
def test_only_plain_decimal_strings_are_amounts(provider_client, cost):
    """JSON takes numbers or plain decimal strings: no separators, no exponent, no sign."""
    r = provider_client.post(URL, body(cost_eur=cost, submit=False), format="json")
    assert r.status_code == 400, r.content
    assert [e["field"] for e in r.json()["errors"]] == ["cost_eur"]
