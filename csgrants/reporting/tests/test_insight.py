"""The policy insight through its real interfaces: the what-if API and form, the inflow and
its before/after comparison, the report JSON / XLSX / Markdown, the dashboard, the runway page,
the budget pages' warning and the budget managers' digest."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from conftest import make_user
from csgrants.accounts.models import Role
from csgrants.applications.models import Application
from csgrants.applications.tests.after_helpers import at
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.services import allocation_create
from csgrants.core import clock
from csgrants.reporting.inflow import before_after, changes, inflow
from csgrants.reporting.renderers import confounded_months


@pytest.fixture
def short_budget(provider, admin_user, make_application):
    """P1 commits EUR 5,000 a week for 30 weeks and has EUR 20,000 left: about 4 weeks."""
    today = clock.today()
    source = make_application("draft")
    allocation_create(
        actor=admin_user,
        provider=provider,
        amount_eur=Decimal("170000.00"),
        allocated_on=today - dt.timedelta(weeks=40),
    )
    for week in range(30):
        LedgerEntry.objects.create(
            provider=provider,
            kind="commit",
            amount_eur=Decimal("5000.00"),
            entry_date=today - dt.timedelta(days=1 + 7 * week),
            application=source,
        )
    return provider


# --- what-if ---------------------------------------------------------------------------------


def test_what_if_prices_open_files_under_the_scenario(client, analyst, make_application, funded):
    with at(dt.date(2026, 3, 2)):
        early = make_application("submitted")  # before the scenario's date: keeps its subsidy
    with at(dt.date(2026, 6, 1)):
        late = make_application("submitted", cost_eur="30000.00")
    client.force_login(analyst)
    counts = (Application.objects.count(), LedgerEntry.objects.count())
    r = client.post(
        "/api/v1/statistics/what-if/",
        {"rate_pct": "60", "from_date": "2026-05-01", "until": "2026-05-02"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["kind"] == "scenario" and "not a forecast" in body["label"]
    (row,) = [p for p in body["providers"] if p["provider"] == "P1"]
    current = early.subsidy_eur + late.subsidy_eur
    assert row["open"] == {
        "files": 2,
        "current_eur": f"{current:.2f}",
        "scenario_eur": f"{early.subsidy_eur + Decimal('18000.00'):.2f}",
    }
    # A range that excludes the late file's cost: it would not be admissible.
    r = client.post(
        "/api/v1/statistics/what-if/",
        {"rate_pct": "60", "from_date": "2026-05-01", "max_cost_eur": "25000"},
        content_type="application/json",
    )
    (row,) = [p for p in r.json()["providers"] if p["provider"] == "P1"]
    assert row["open"]["scenario_eur"] == f"{early.subsidy_eur:.2f}"
    assert r.json()["inputs"]["until"] == "2027-05-01"
    assert (Application.objects.count(), LedgerEntry.objects.count()) == counts  # nothing stored


def test_what_if_validates_and_is_staff_only(client, analyst, provider_user):
    client.force_login(provider_user)
    r = client.post(
        "/api/v1/statistics/what-if/",
        {"rate_pct": "60", "from_date": "2026-05-01"},
        content_type="application/json",
    )
    assert r.status_code == 403
    client.force_login(analyst)
    for body, field in [
        ({"rate_pct": "160", "from_date": "2026-05-01"}, "rate_pct"),
        ({"rate_pct": "50"}, "from_date"),
        ({"rate_pct": "50", "from_date": "2026-05-01", "until": "2026-04-01"}, "until"),
        (
            {
                "rate_pct": "50",
                "from_date": "2026-05-01",
                "min_cost_eur": "20000",
                "max_cost_eur": "10000",
            },
            "max_cost_eur",
        ),
    ]:
        r = client.post("/api/v1/statistics/what-if/", body, content_type="application/json")
        assert r.status_code == 400, body
        assert r.json()["errors"][0]["field"] == field, r.json()


def test_what_if_form(client, analyst, make_application, funded):
    make_application("submitted")
    client.force_login(analyst)
    page = client.get("/statistieken/scenario/")
    assert page.status_code == 200 and b'name="rate_pct"' in page.content
    r = client.post(
        "/statistieken/scenario/", {"rate_pct": "55", "from_date": "2026-01-01", "until": ""}
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert "Scenario" in text and "P1" in text
    r = client.post(
        "/statistieken/scenario/",
        {"rate_pct": "55", "from_date": "2026-01-01", "until": "2025-01-01"},
    )
    assert r.status_code == 200 and 'id="id_until_error"' in r.content.decode()
    # Amounts through core.money's one parser, the Dutch way (issue 20): no exponent.
    r = client.post(
        "/statistieken/scenario/",
        {"rate_pct": "55", "from_date": "2026-01-01", "max_cost_eur": "1e5"},
    )
    assert r.status_code == 200 and 'id="id_max_cost_eur_error"' in r.content.decode()
    r = client.post(
        "/statistieken/scenario/",
        {"rate_pct": "55", "from_date": "2026-01-01", "max_cost_eur": "35.000,00"},
    )
    assert (
        'id="id_max_cost_eur_error"' not in r.content.decode() and "Scenario" in r.content.decode()
    )


# --- inflow ----------------------------------------------------------------------------------


def _file(make_application, day, state="approved", **kw):
    with at(day):
        return make_application(state, **kw)


def test_inflow_per_month_with_the_changes(make_application, funded):
    _file(make_application, dt.date(2022, 11, 7))
    _file(make_application, dt.date(2022, 11, 8), state="submitted")
    _file(make_application, dt.date(2023, 2, 6), package="START", cost_eur="10000.00")
    data = inflow([2022, 2023])
    months = {m["month"]: m for m in data["months"]}
    assert len(data["months"]) == 24
    assert months["2022-11"]["submitted"]["total"] == 2
    assert months["2022-11"]["approved"] == {
        "total": 1,
        "by_package": {"START": 0, "MEDIUM": 1, "PLUS": 0, "CHECK_PLAN": 0},
    }
    assert months["2022-11"]["enterprises_reached"]["total"] == 1
    assert months["2023-02"]["submitted"]["by_package"]["START"] == 1
    # The 2023 policy version and START (first filed in February 2023) are marked.
    marked = [(c["kind"], c["label"], c["month"]) for c in data["changes"]]
    assert ("policy", "Beleidswijziging 2023 (50%)", "2023-01") in marked
    assert ("package", "START", "2023-02") in marked
    assert not any(c["label"] == "MEDIUM" for c in changes())  # there from the first month


def test_before_after_warns_when_two_changes_share_the_window(make_application, funded):
    for day in [dt.date(2022, 10, 3), dt.date(2022, 11, 7), dt.date(2023, 1, 9)]:
        _file(make_application, day)
    _file(make_application, dt.date(2023, 1, 16), package="START", cost_eur="10000.00")
    result = before_after(dt.date(2023, 1, 1), months=3)
    submitted = result["measures"]["submitted"]
    assert submitted["before"]["per_month"] == {"2022-10": 1, "2022-11": 1, "2022-12": 0}
    assert submitted["after"]["per_month"] == {"2023-01": 2, "2023-02": 0, "2023-03": 0}
    assert submitted["before"]["mean"] == 0.67 and submitted["after"]["mean"] == 0.67
    assert submitted["change"] == 0.0
    assert result["confounded"] is True
    assert {c["label"] for c in result["changes_in_window"]} == {
        "Beleidswijziging 2023 (50%)",
        "START",
    }
    # A window that holds one change only: no warning.
    assert before_after(dt.date(2022, 6, 1), months=3)["confounded"] is False


# --- the report, its downloads and the dashboard -----------------------------------------------


def test_report_json_xlsx_and_markdown_have_the_insight(make_application, funded, short_budget):
    _file(make_application, dt.date(2023, 1, 9))
    out = StringIO()
    call_command("parliamentary_report", "--years", "2023", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) >= {"years", "runway", "inflow", "funnel"}
    assert report["funnel"]["2023"]["steps"][0] == {
        "step": "filed",
        "reached": 1,
        "moved_on_share": 1.0,  # its enterprise confirmed it (issue 22)
        "median_working_days": None,
    }
    assert report["runway"]["providers"][0]["provider"] == "P1"
    assert len(report["inflow"]["months"]) == 12
    out = StringIO()
    call_command("parliamentary_report", "--years", "2023", stdout=out)
    md = out.getvalue()
    assert "## 10. Hoe lang volstaat het budget?" in md
    assert "## 11. Instroom per maand" in md and "## 12. Trechter" in md
    from openpyxl import load_workbook

    from csgrants.reporting.renderers import render_xlsx

    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert {"10 Budgetlooptijd", "11 Instroom", "12 Trechter"} <= set(wb.sheetnames)
    assert wb["12 Trechter"]["B2"].value == "aangemaakt"


def test_confounded_months_in_the_answer():
    inflow_data = {
        "changes": [
            {"month": "2023-01", "label": "Beleidswijziging 2023 (50%)", "kind": "policy"},
            {"month": "2023-01", "label": "START", "kind": "package"},
        ]
    }
    assert len(confounded_months(inflow_data)) == 1


def test_dashboard_shows_runway_inflow_and_funnel(client, analyst, short_budget):
    client.force_login(analyst)
    r = client.get("/statistieken/", {"year": [clock.today().year]})
    assert r.status_code == 200
    text = r.content.decode()
    assert 'id="chart-runway-t"' in text and 'id="chart-inflow-t"' in text
    assert 'id="q10"' in text and 'id="q11"' in text and 'id="q12"' in text
    r = client.get("/statistieken/", {"year": [clock.today().year], "format": "json"})
    assert set(json.loads(r.content)) >= {"runway", "inflow", "funnel"}
    r = client.get("/statistieken/", {"year": [clock.today().year], "package": "START"})
    assert r.status_code == 200


def test_runway_page_in_dutch_and_english(client, analyst, short_budget):
    # The web pages follow the language the user chose (User.language), not the browser.
    client.force_login(analyst)
    r = client.get("/statistieken/budgetlooptijd/", HTTP_ACCEPT_LANGUAGE="en")
    assert "binnen 8 weken" in r.content.decode()
    analyst.language = "en"
    analyst.save(update_fields=["language"])
    r = client.get("/statistieken/budgetlooptijd/")
    text = r.content.decode()
    assert r.status_code == 200 and "<svg" in text and "P50" in text
    assert "within 8 weeks" in text


# --- warnings: budget pages and the budget managers' digest -----------------------------------


def test_budget_pages_warn_within_eight_weeks(client, budget_manager, short_budget):
    budget_manager.language = "en"
    budget_manager.save(update_fields=["language"])
    client.force_login(budget_manager)
    for url in ["/budget/", f"/budget/dienstverlener/{short_budget.pk}/"]:
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 200
        assert "a budget may run out within 8 weeks" in r.content.decode(), url


def test_no_warning_for_a_long_runway(client, budget_manager, provider, admin_user):
    allocation_create(
        actor=admin_user,
        provider=provider,
        amount_eur=Decimal("170000.00"),
        allocated_on=clock.today() - dt.timedelta(weeks=40),
    )
    budget_manager.language = "en"
    budget_manager.save(update_fields=["language"])
    client.force_login(budget_manager)
    r = client.get("/budget/")
    text = r.content.decode()
    assert r.status_code == 200 and "Budget" in text
    assert "may run out within 8 weeks" not in text


def test_budget_digest_once_a_day_in_the_managers_language(short_budget):
    nl = make_user("bm-nl", Role.BUDGET_MANAGER)
    nl.email, nl.language = "an@agency.example", "nl"
    nl.save()
    en = make_user("bm-en", Role.BUDGET_MANAGER)
    en.email, en.language = "bo@agency.example", "en"
    en.save()
    today = clock.today()
    from csgrants.notifications.reminders import reminders_send

    result = reminders_send(on=today, force=True)
    assert result["budget_digests"] == 2
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "may run out within 8 weeks" in subjects["bo@agency.example"]
    assert "binnen 8 weken" in subjects["an@agency.example"]
    body = next(m.body for m in mail.outbox if m.to == ["bo@agency.example"])
    assert "P1 | Provider One" in body and "P10" in body
    assert reminders_send(on=today, force=True)["budget_digests"] == 0  # once a day


def test_dates_out_of_range_are_refused_not_errors(client, analyst):
    client.force_login(analyst)
    for as_of in ["9999-12-31", "0001-01-01"]:
        r = client.get("/api/v1/statistics/runway/", {"as_of": as_of})
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "as_of"
    for body, field in [
        ({"rate_pct": "50", "from_date": "9999-12-31"}, "from_date"),
        ({"rate_pct": "50", "from_date": "2026-01-01", "until": "9999-12-31"}, "until"),
    ]:
        r = client.post("/api/v1/statistics/what-if/", body, content_type="application/json")
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == field
    assert client.get("/statistieken/budgetlooptijd/", {"as_of": "9999-12-31"}).status_code == 200
