"""The API shows and allows what applications.actions.actions_for says, like the web pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def url(reference: str, action: str = "") -> str:
    return f"/api/v1/applications/{reference}/" + (f"{action}/" if action else "")


def test_each_caller_sees_its_own_actions(
    provider_client, reviewer_client, analyst_client, make_application
):
    draft = make_application("draft")
    submitted = make_application("submitted")
    running = make_application("in_progress")
    assert provider_client.get(url(draft.reference)).json()["actions"] == [
        "edit",
        "submit",
        "withdraw",
    ]
    assert provider_client.get(url(submitted.reference)).json()["actions"] == ["withdraw"]
    assert reviewer_client.get(url(submitted.reference)).json()["actions"] == [
        "approve",
        "recheck",
        "reject",
        "request_info",
    ]
    assert provider_client.get(url(running.reference)).json()["actions"] == [
        "amend",
        "complete",
        "withdraw",
    ]
    assert reviewer_client.get(url(running.reference)).json()["actions"] == ["stop"]
    assert analyst_client.get(url(running.reference)).json()["actions"] == []
    listed = {
        a["reference"]: a["actions"]
        for a in reviewer_client.get("/api/v1/applications/").json()["results"]
    }
    assert listed[submitted.reference] == ["approve", "recheck", "reject", "request_info"]


def test_an_operation_the_actions_do_not_offer_is_refused(
    provider_client, reviewer_client, make_application
):
    submitted = make_application("submitted")
    again = provider_client.post(url(submitted.reference, "submit"))
    assert again.status_code == 409 and again.json()["code"] == "TRANSITION_NOT_ALLOWED"
    draft = make_application("draft")
    early = reviewer_client.post(
        url(draft.reference, "decision"), {"outcome": "approved"}, format="json"
    )
    assert early.status_code == 409 and early.json()["code"] == "TRANSITION_NOT_ALLOWED"


def test_a_new_file_answers_its_actions_too(provider_client):
    from csgrants.api.tests.conftest import CREATE_BODY

    created = provider_client.post(
        "/api/v1/applications/", {**CREATE_BODY, "submit": False}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["actions"] == ["edit", "submit", "withdraw"]
    assert provider_client.get(url(body["reference"])).json() == body
