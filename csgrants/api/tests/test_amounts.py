"""Amounts through the API: the machine spelling of core.money's one parser (issue 19), as
strings or JSON numbers; every refusal names its field, in the request's language."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from csgrants.applications.models import Application

from .conftest import CREATE_BODY

URL = "/api/v1/applications/"


def body(**changes):
    data = copy.deepcopy(CREATE_BODY)
    data.update(changes, submit=False)
    return data


@pytest.mark.parametrize(
    ("given", "stored"),
    [("9200.00", "9200.00"), ("9200", "9200.00"), ("9200.5", "9200.50"), (9200.5, "9200.50")],
)
def test_the_machine_spelling_is_read(provider_client, given, stored):
    r = provider_client.post(URL, body(cost_eur=given), format="json")
    assert r.status_code == 201, r.content
    assert Application.objects.get().cost_eur == Decimal(stored)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("1e5", "9200.00"),
        ("9,200.00", "9200.00"),
        ("9.200,00", "9200.00"),
        ("9200,5", "9200.00"),
        ("NaN", "9200.00"),
        ("Infinity", "9200.00"),
        ("9200.005", "2 decimals"),
        (9200.005, "2 decimals"),
        ("1000000000000.00", "12"),
        (10**15, "12"),
        ("-1", "zero or more"),
    ],
)
def test_other_spellings_are_refused_naming_the_field(provider_client, given, says):
    r = provider_client.post(URL, body(cost_eur=given), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400, r.content
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert says in errors["cost_eur"], errors
    assert not Application.objects.exists()


def test_prior_aid_in_the_declaration_goes_through_the_same_parser(provider_client):
    data = body()
    data["declaration"]["de_minimis_prior_aid"][0]["amount_eur"] = "5e3"
    r = provider_client.post(URL, data, format="json")
    assert r.status_code == 400, r.content
    assert "declaration.de_minimis_prior_aid[0].amount_eur" in {
        e["field"] for e in r.json()["errors"]
    }
