"""A provider user sees and changes only its own provider's applications; another provider's
file answers 404 exactly as a file that does not exist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from csgrants.applications.models import Application, Status
from csgrants.catalogue.models import Package, Tariff

from .conftest import CREATE_BODY

URL = "/api/v1/applications/"


@pytest.fixture
def own(provider_client, funded):
    return provider_client.post(URL, CREATE_BODY, format="json").json()["reference"]


def _not_found_body(client, url, method="get", **kwargs):
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code == 404, r.content
    return r.json()


def test_read_another_providers_file_is_404_like_a_missing_one(own, other_client):
    theirs = _not_found_body(other_client, f"{URL}{own}/")
    missing = _not_found_body(other_client, f"{URL}CS-2026-99999/")
    assert theirs == missing


def test_list_shows_only_own_files(
    own, other_client, provider_client, other_provider_user, other_provider
):
    assert other_client.get(URL).json()["count"] == 0
    for filters in ({"status": "submitted"}, {"province": "BE-VOV"}, {"package": "MEDIUM"}):
        assert other_client.get(URL, filters).json()["count"] == 0
    other_ref = other_client.post(
        URL, {**CREATE_BODY, "enterprise_number": "0202.239.951", "submit": False}, format="json"
    ).json()["reference"]
    assert [a["reference"] for a in provider_client.get(URL).json()["results"]] == [own]
    assert [a["reference"] for a in other_client.get(URL).json()["results"]] == [other_ref]


@pytest.mark.parametrize("action", ["submit", "withdraw"])
def test_change_another_providers_file_is_404_and_changes_nothing(own, other_client, action):
    for ref in (own, "CS-2026-99999"):
        r = other_client.post(f"{URL}{ref}/{action}/", {}, format="json")
        assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert Application.objects.get(reference=own).status == Status.AWAITING_CONFIRMATION


def test_change_of_another_providers_draft_is_404_and_changes_nothing(
    provider_client, other_client
):
    draft = provider_client.post(URL, {**CREATE_BODY, "submit": False}, format="json").json()
    for ref in (draft["reference"], "CS-2026-99999"):
        r = other_client.patch(f"{URL}{ref}/", {"cost_eur": "1.00"}, format="json")
        assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert str(Application.objects.get(reference=draft["reference"]).cost_eur) == "24000.00"


@pytest.mark.parametrize("action", ["opnieuw", "terugnemen"])
def test_another_provider_cannot_resend_or_recall_the_enterprises_link(
    own, other_provider_user, client, action
):
    from csgrants.applications.models import ConfirmationRequest

    client.force_login(other_provider_user)
    before = list(ConfirmationRequest.objects.values())
    for ref in (own, "CS-2026-99999"):
        assert client.post(f"/dossiers/{ref}/bevestiging/{action}/").status_code == 404
    assert list(ConfirmationRequest.objects.values()) == before
    assert Application.objects.get(reference=own).status == Status.AWAITING_CONFIRMATION


def test_create_always_files_for_the_users_own_provider(other_client, other_provider):
    r = other_client.post(URL, {**CREATE_BODY, "provider": "P1", "submit": False}, format="json")
    assert r.status_code == 201 and r.json()["provider"] == "P2"
    assert Application.objects.get().provider == other_provider


def test_tariffs_of_another_provider_are_not_shown(
    provider, other_provider, provider_client, other_client, reviewer_client
):
    package = Package.objects.get(code="MEDIUM")
    Tariff.objects.create(
        provider=provider, package=package, amount_eur=Decimal("20000"), valid_from=date(2023, 1, 1)
    )
    Tariff.objects.create(
        provider=other_provider,
        package=package,
        amount_eur=Decimal("21000"),
        valid_from=date(2023, 1, 1),
    )
    assert [t["provider"] for t in provider_client.get("/api/v1/catalogue/tariffs/").json()] == [
        "P1"
    ]
    assert [
        t["provider"]
        for t in other_client.get("/api/v1/catalogue/tariffs/", {"provider": "P1"}).json()
    ] == []
    assert {t["provider"] for t in reviewer_client.get("/api/v1/catalogue/tariffs/").json()} == {
        "P1",
        "P2",
    }
    assert [
        t["amount_eur"]
        for t in reviewer_client.get("/api/v1/catalogue/tariffs/", {"provider": "P2"}).json()
    ] == ["21000.00"]
