import json
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from csgrants.imports.services import history_import

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "history"


@pytest.fixture
def history(db):
    history_import(FIXTURES)


def test_analyst_sees_the_figures_with_charts_and_tables(client, analyst, history):
    client.force_login(analyst)
    response = client.get(reverse("reporting:dashboard"), {"year": ["2021", "2022"]})
    assert response.status_code == 200
    html = response.content.decode()
    # A chart for each of the four breakdowns of questions 5, 6, 7; the runway band and the
    # inflow per month (sections 10 and 11).
    assert html.count("<svg") == 14
    assert "€ 942.264,00" in html and "€ 667.649,00" in html
    assert "Oost-Vlaanderen" in html or "East Flanders" in html
    assert "Antwoord: CS-verbetertrajecten, 2021 en 2022" in html


def test_provider_filter(client, analyst, history):
    client.force_login(analyst)
    full = client.get(reverse("reporting:dashboard"), {"year": "2021", "format": "json"}).json()
    one = client.get(
        reverse("reporting:dashboard"), {"year": "2021", "provider": "P01", "format": "json"}
    ).json()
    assert (
        0 < one["years"]["2021"]["approved"]["total"] < full["years"]["2021"]["approved"]["total"]
    )
    assert one["years"]["2021"]["budget"]["allocated_eur"] == "600000.00"


def test_downloads(client, analyst, history):
    client.force_login(analyst)
    url = reverse("reporting:dashboard")
    data = json.loads(client.get(url, {"year": ["2021", "2022"], "format": "json"}).content)
    assert data["years"]["2021"]["grant_equivalent_eur"] == "942264.00"
    csv_text = client.get(url, {"year": "2021", "format": "csv"}).content.decode()
    assert "2021,grant_equivalent_eur,,,942264.00" in csv_text
    xlsx = client.get(url, {"year": ["2021", "2022"], "format": "xlsx"})
    assert 'filename="statistieken-2021-2022.xlsx"' in xlsx["Content-Disposition"]
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames[:3] == ["1 Budget", "2 Budget volgend jaar", "5 Ingediende aanvragen"]
    assert "9 Doorlooptijd" in wb.sheetnames
    md = client.get(url, {"year": "2022", "format": "md"}).content.decode()
    assert md.startswith("# Antwoord")


def test_providers_may_not_see_statistics(client, provider_user):
    client.force_login(provider_user)
    assert client.get(reverse("reporting:dashboard")).status_code == 403


def test_anonymous_goes_to_login(client, db):
    assert client.get(reverse("reporting:dashboard")).status_code == 302
