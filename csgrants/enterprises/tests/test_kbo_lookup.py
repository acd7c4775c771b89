"""The register lookup, the prefill, the Flemish-establishment check input and the API view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from csgrants.enterprises.models import Enterprise
from csgrants.enterprises.selectors import enterprise_lookup, enterprise_prefill, enterprise_regions
from csgrants.enterprises.services import kbo_import

DATA = Path(__file__).parent / "data"
API_FIELDS = {
    "enterprise_number",
    "name",
    "legal_form",
    "legal_form_description",
    "juridical_situation",
    "start_date",
    "seat_address",
    "establishments",
    "province",
    "region",
    "activities",
}


@pytest.fixture
def register(db):
    kbo_import(actor=None, path=DATA / "full_0140")


@pytest.mark.parametrize(
    "spelling", ["0403.170.701", "0403170701", "BE0403170701", "BE 0403 170 701", "403170701"]
)
def test_lookup_accepts_every_spelling(register, spelling):
    assert enterprise_lookup(spelling)["enterprise_number"] == "0403.170.701"


def test_lookup_legal_person(register):
    found = enterprise_lookup("0403.170.701")
    assert found["name"] == "Voorbeeld NV"  # official Dutch name before French and commercial names
    assert (found["legal_form"], found["legal_form_description"]) == (
        "014",
        "Naamloze vennootschap",
    )
    assert found["juridical_situation"] == "000"
    assert found["start_date"] == dt.date(1960, 8, 9)
    assert found["seat_address"] == {
        "street": "Korenmarkt",
        "house_number": "1",
        "box": "",
        "postal_code": "9000",
        "municipality": "Gent",
    }
    assert [(e["establishment_number"], e["start_date"]) for e in found["establishments"]] == [
        ("2.000.000.339", dt.date(1974, 11, 1)),
        ("2.100.000.001", dt.date(2001, 1, 1)),
    ]
    assert found["establishments"][1]["address"] == {
        "street": "Meir",
        "house_number": "5",
        "box": "B",
        "postal_code": "2000",
        "municipality": "Antwerpen",
    }
    assert (found["province"], found["region"]) == ("BE-VOV", "flanders")
    # main activities only, the same code of two activity groups once, newest NACE version first
    assert found["activities"] == [
        {
            "nace_version": "2025",
            "nace_code": "62100",
            "description": "Computerprogrammering",
            "classification": "MAIN",
        },
        {
            "nace_version": "2008",
            "nace_code": "62010",
            "description": "Computerprogrammering",
            "classification": "MAIN",
        },
    ]


def test_lookup_name_preferences(register):
    # official names in French and German, commercial name in Dutch: the French official name
    assert enterprise_lookup("0202.239.951")["name"] == "Entreprise Bruxelloise"
    # an English official name beats a French commercial name
    assert enterprise_lookup("0403.199.702")["name"] == "Acme Belgium"
    # only a commercial name (natural person)
    assert enterprise_lookup("0417.497.106")["name"] == "Bakkerij Janssens"


def test_lookup_description_in_the_active_language_when_kbo_has_it(register):
    with translation.override("fr"):
        assert enterprise_lookup("0403.170.701")["legal_form_description"] == "Société anonyme"
    with translation.override("en"):  # KBO has no English descriptions: Dutch
        assert (
            enterprise_lookup("0403.170.701")["legal_form_description"] == "Naamloze vennootschap"
        )


def test_lookup_natural_person_without_seat(register):
    found = enterprise_lookup("0417.497.106")
    assert found["seat_address"] is None
    assert found["legal_form"] is None and found["legal_form_description"] is None
    # establishment units oldest first; the province comes from the oldest (Liège), not Leuven
    assert [e["establishment_number"] for e in found["establishments"]] == [
        "2.130.000.004",
        "2.120.000.003",
    ]
    assert found["establishments"][0]["address"]["municipality"] == "Luik"
    assert (found["province"], found["region"]) == ("BE-WLG", "wallonia")


def test_lookup_without_any_belgian_address(register):
    found = enterprise_lookup("0203.201.340")  # foreign entity, branch address only
    assert found["seat_address"] is None and found["establishments"] == []
    assert (found["province"], found["region"]) == (None, None)


def test_lookup_unknown_or_invalid(register):
    assert enterprise_lookup("0404.616.494") is not None
    assert enterprise_lookup("0207.446.759") is None  # valid-looking but checksum wrong
    assert enterprise_lookup("0400.378.485") is None  # valid, not in the register
    assert enterprise_lookup("") is None


def test_prefill(register):
    assert enterprise_prefill("BE0403170701") == {
        "enterprise_number": "0403.170.701",
        "enterprise_name": "Voorbeeld NV",
        "postal_code": "9000",
        "legal_form": "014",
        "legal_form_description": "Naamloze vennootschap",
        "nace_codes": ["2025:62100", "2008:62010"],
        "province": "BE-VOV",
        "region": "flanders",
    }
    natural = enterprise_prefill("0417497106")
    assert natural["postal_code"] == "4000"  # no seat: the oldest establishment unit
    assert natural["legal_form"] is None
    assert enterprise_prefill("0400.378.485") is None


def test_regions_use_the_register_when_loaded(register):
    brussels_seat = Enterprise.objects.create(number="0202.239.951", name="EB", postal_code="1000")
    # no Flemish seat, but a Flemish establishment unit (Mechelen): the check can pass
    assert enterprise_regions(brussels_seat) == ("brussels", ["flanders"])
    # the register's seat counts, not the declared postal code
    declared_wrong = Enterprise.objects.create(number="0404.616.494", name="LC", postal_code="9000")
    assert enterprise_regions(declared_wrong) == ("wallonia", [])
    # no published seat (natural person): the declared postal code stands in for the seat
    natural = Enterprise.objects.create(number="0417.497.106", name="BJ", postal_code="3000")
    seat, units = enterprise_regions(natural)
    assert seat == "flanders" and sorted(units) == ["flanders", "wallonia"]


def test_regions_fall_back_to_the_declared_postal_code(db):
    enterprise = Enterprise.objects.create(number="0202.239.951", name="EB", postal_code="1000")
    assert enterprise_regions(enterprise) == ("brussels", [])
    enterprise.postal_code = "2800"
    assert enterprise_regions(enterprise) == ("flanders", [])


def test_api_lookup(register, client, reviewer):
    client.force_login(reviewer)
    response = client.get("/api/v1/enterprises/BE0417497106/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == API_FIELDS
    assert body["enterprise_number"] == "0417.497.106"
    assert body["start_date"] == "2005-02-01"
    assert body["seat_address"] is None
    assert body["establishments"][0] == {
        "establishment_number": "2.130.000.004",
        "start_date": "2005-02-01",
        "address": {
            "street": "Rue Léopold",
            "house_number": "2",
            "box": "",
            "postal_code": "4000",
            "municipality": "Luik",
        },
    }
    assert (body["province"], body["region"]) == ("BE-WLG", "wallonia")
    assert body["activities"] == [
        {
            "nace_version": "2008",
            "nace_code": "10711",
            "description": "Industriële bakkerijen",
            "classification": "MAIN",
        },
    ]
    seat = client.get("/api/v1/enterprises/0403.170.701/").json()["seat_address"]
    assert seat["street"] == "Korenmarkt" and seat["postal_code"] == "9000"


@pytest.mark.parametrize("number", ["0400.378.485", "0400378486", "nonsense"])
def test_api_unknown_is_problem_details(register, client, reviewer, number):
    client.force_login(reviewer)
    response = client.get(f"/api/v1/enterprises/{number}/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 404 and problem["title"] and number in problem["detail"]


def test_api_needs_authentication(register, client):
    assert client.get("/api/v1/enterprises/0403.170.701/").status_code in (401, 403)


def _region_outcome(application):
    from csgrants.applications.models import CheckResult

    return (
        CheckResult.objects.filter(run__application=application, code="FLEMISH_REGION")
        .latest("id")
        .outcome
    )


def test_flemish_establishment_passes_the_region_check_with_the_register(
    register, make_application
):
    # Seat in Brussels (declared and in the register), establishment unit in Mechelen.
    application = make_application("submitted", number="0202.239.951", postal_code="1000")
    assert _region_outcome(application) == "pass"


def test_without_the_register_a_brussels_postal_code_fails_the_region_check(db, make_application):
    application = make_application("submitted", number="0202.239.951", postal_code="1000")
    assert _region_outcome(application) == "fail"
