"""Catalogue (read-only), eligibility checks and the statistics report through the API."""

from __future__ import annotations

import pytest

from csgrants.api.views import statistics


def test_packages_with_former_names(provider_client):
    data = provider_client.get("/api/v1/catalogue/packages/").json()
    medium = next(p for p in data if p["code"] == "MEDIUM")
    assert "light" in medium["former_names"] and medium["is_extension"] is False


def test_policy_in_force_today_and_on_a_date(provider_client):
    assert provider_client.get("/api/v1/catalogue/policy/").json()["valid_from"] == "2023-01-01"
    old = provider_client.get("/api/v1/catalogue/policy/", {"on": "2022-06-01"}).json()
    assert old["valid_from"] == "2021-01-01"
    assert {"enterprise_kind": "kmo", "rate_pct": "45.00"} in old["rates"]
    r = provider_client.get("/api/v1/catalogue/policy/", {"on": "1999-01-01"})
    assert r.status_code == 404 and r.json()["code"] == "NO_POLICY"
    r = provider_client.get("/api/v1/catalogue/policy/", {"on": "01/06/2022"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "on"


def test_reason_codes(provider_client):
    codes = provider_client.get("/api/v1/catalogue/reason-codes/", HTTP_ACCEPT_LANGUAGE="en").json()
    not_sme = next(c for c in codes if c["code"] == "NOT_SME")
    assert not_sme["label"] == not_sme["label_en"]


SME = {
    "enterprise": {
        "name": "A",
        "kind": "kmo",
        "periods": [
            {
                "year_end": "2024-12-31",
                "staff_awu": 180,
                "turnover_eur": "30000000",
                "balance_sheet_eur": "45000000",
            },
            {
                "year_end": "2023-12-31",
                "staff_awu": 170,
                "turnover_eur": "28000000",
                "balance_sheet_eur": "44000000",
            },
        ],
    },
    "relations": [
        {
            "name": "C",
            "direction": "upstream",
            "capital_pct": 30,
            "voting_pct": 30,
            "control": False,
            "investor_category": None,
            "investment_eur": None,
            "acting_jointly_with": [],
            "periods": [
                {
                    "year_end": "2024-12-31",
                    "staff_awu": 200,
                    "turnover_eur": "40000000",
                    "balance_sheet_eur": "20000000",
                }
            ],
        }
    ],
}


def test_sme_check(analyst_client):
    r = analyst_client.post("/api/v1/eligibility/sme", SME, format="json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["status"] == "partner" and data["relations"][0]["treatment"] == "partner"
    assert data["relations"][0]["share_pct"] == "30.00"


def test_sme_check_names_the_bad_field(provider_client):
    bad = {**SME, "relations": [{**SME["relations"][0], "capital_pct": 130}]}
    r = provider_client.post("/api/v1/eligibility/sme", bad, format="json")
    assert r.status_code == 400
    assert "relations[0].capital_pct" in {e["field"] for e in r.json()["errors"]}
    assert provider_client.post("/api/v1/eligibility/sme", [1, 2], format="json").status_code == 400


def test_de_minimis_check(provider_client):
    body = {
        "grant_date": "2024-03-01",
        "amount_eur": 15000,
        "prior_aid": [
            {
                "granted_on": "2022-05-01",
                "amount_eur": "190000.00",
                "description": "kmo-portefeuille",
            }
        ],
    }
    r = provider_client.post("/api/v1/eligibility/de-minimis", body, format="json")
    assert r.status_code == 200
    assert r.json()["headroom_eur"] == "110000.00" and r.json()["window_start"] == "2021-03-02"
    r = provider_client.post(
        "/api/v1/eligibility/de-minimis", {**body, "grant_date": "01/03/2024"}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "grant_date"


@pytest.fixture
def fake_report(monkeypatch):
    seen = []

    def build(years):
        seen.append(years)
        return {
            "scheme": "CS-verbetertrajecten",
            "generated_at": "2026-11-27T10:00:00+00:00",
            "years": {str(y): {"submitted": {"total": 0}} for y in years},
        }

    monkeypatch.setattr(statistics, "build_report", build)
    return seen


@pytest.mark.parametrize(
    "query", ["years=2021&years=2022", "years=2021,2022", "years=2022,2021&years=2021"]
)
def test_statistics_report_for_staff(analyst_client, fake_report, query):
    r = analyst_client.get(f"/api/v1/statistics/report/?{query}")
    assert r.status_code == 200
    assert fake_report == [[2021, 2022]] and set(r.json()["years"]) == {"2021", "2022"}


def test_statistics_is_staff_only_and_validates_years(
    provider_client, reviewer_client, fake_report
):
    assert provider_client.get("/api/v1/statistics/report/?years=2021").status_code == 403
    for query in ["", "years=", "years=abc", "years=1850", "years=2021,x"]:
        r = reviewer_client.get(f"/api/v1/statistics/report/?{query}")
        assert r.status_code == 400 and r.json()["errors"][0]["field"].startswith("years"), query
    assert fake_report == []


def test_statistics_report_with_the_real_report(analyst_client):
    r = analyst_client.get("/api/v1/statistics/report/?years=2021,2022")
    assert r.status_code == 200, r.content
    assert set(r.json()["years"]) == {"2021", "2022"}
