"""The eligibility contract's input errors reach the API's problem details in the user's
request's language: Dutch by default, English when the request asks (issues 19 and 21)."""

from __future__ import annotations

import copy

import pytest

from csgrants.api.tests.conftest import CREATE_BODY


def _body_with_an_unknown_joint_investor():
    body = copy.deepcopy(CREATE_BODY)
    body["submit"] = False
    body["declaration"]["sme"]["relations"] = [
        {
            "name": "Fonds A",
            "direction": "upstream",
            "capital_pct": 10,
            "voting_pct": 10,
            "acting_jointly_with": ["Niemand BV"],
        }
    ]
    return body


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "er is geen relatie met de naam 'Niemand BV'"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "there is no relation named 'Niemand BV'"),
    ],
)
def test_eligibility_input_errors_follow_the_request_language(provider_client, headers, message):
    response = provider_client.post(
        "/api/v1/applications/", _body_with_an_unknown_joint_investor(), format="json", **headers
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {
        "field": "declaration.sme.relations[0].acting_jointly_with[0]",
        "message": message,
    } in errors, errors
