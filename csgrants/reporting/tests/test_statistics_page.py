"""The statistics page (issue 21): the scheme's years only, the budget table explains what is
allocated in a year against what is available from earlier years, the workbook has a sheet of
the final reports."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from csgrants.accounts.models import User
from csgrants.applications.models import FinalReport
from csgrants.core import clock


@pytest.fixture
def analyst_client(client, db):
    call_command("load_demo")
    client.force_login(User.objects.get(username="analyst"))
    return client


def test_the_year_choice_lists_the_schemes_years_only(analyst_client):
    page = analyst_client.get("/statistieken/")
    assert page.context["choosable"] == list(range(2019, clock.today().year + 1))
    # A year outside the scheme is not taken.
    page = analyst_client.get("/statistieken/", {"year": ["2015", "2022"]})
    assert page.context["years"] == [2022]


def test_the_budget_table_explains_earlier_allocations(analyst_client):
    year = clock.today().year
    html = analyst_client.get("/statistieken/", {"year": [str(year)]}).content.decode()
    assert "Beschikbaar uit eerdere jaren" in html
    assert "Toegewezen in het jaar" in html
    assert "geen fout" in html


def test_the_workbook_has_a_final_reports_sheet(analyst_client):
    report = FinalReport.objects.filter(status="accepted").order_by("-reviewed_on").first()
    year = report.reviewed_on.year
    response = analyst_client.get("/statistieken/", {"year": [str(year)], "format": "xlsx"})
    wb = load_workbook(BytesIO(response.content))
    ws = wb["13 Eindverslagen"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Jaar" and rows[0][1] == "Eindverslagen"
    ours = [r for r in rows[1:] if r[0] == year]
    assert ours and ours[0][1] >= 1
    assert {r[5] for r in ours} >= {"identificeren", "beschermen"}
