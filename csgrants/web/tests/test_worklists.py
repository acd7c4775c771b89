"""The staff's work lists and the search over every file, on the demo data: every list holds the
item that waits on it, each role sees its own lists, and search finds files whatever their
status (issue 21)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from csgrants.accounts.models import User
from csgrants.applications.models import Amendment, Application, FinalReport, Status
from csgrants.web.worklists import WORK_LISTS


@pytest.fixture
def demo(db):
    call_command("load_demo")


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _waiting():
    """The reference that must appear on each list, read from the demo data directly."""
    amendment = Amendment.objects.filter(status="submitted").select_related("application").first()
    report = FinalReport.objects.filter(
        status="submitted", application__status=Status.COMPLETED
    ).first()
    to_pay = FinalReport.objects.filter(
        status="accepted", application__status=Status.COMPLETED
    ).first()
    return {
        "beslissen": Application.objects.filter(status=Status.SUBMITTED).first().reference,
        "wijzigingen": amendment.application.reference,
        "eindverslagen": report.application.reference,
        "betalingen": to_pay.application.reference,
        "informatievragen": Application.objects.filter(status=Status.INFO_REQUESTED)
        .first()
        .reference,
        "wacht-op-onderneming": Application.objects.filter(status=Status.AWAITING_CONFIRMATION)
        .first()
        .reference,
    }


def test_demo_puts_an_item_on_every_list_and_the_home_page_counts_them(client, demo):
    waiting = _waiting()
    assert set(waiting) == {w.slug for w in WORK_LISTS}
    login(client, "reviewer")
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/werk/"
    html = home.content.decode()
    for work in WORK_LISTS:
        assert f"/werk/{work.slug}/" in html
    for slug, reference in waiting.items():
        page = client.get(f"/werk/{slug}/")
        assert page.status_code == 200
        assert reference in page.content.decode(), slug
        assert page.context["page"].paginator.count >= 1
    # The home page's count is the list's count.
    cards = {c["list"].slug: c for c in home.context["cards"]}
    for slug in waiting:
        assert cards[slug]["count"] == client.get(f"/werk/{slug}/").context["page"].paginator.count
        assert cards[slug]["first_due"] is not None


def test_the_amendment_list_names_the_package_not_its_code(client, demo):
    login(client, "reviewer")
    html = client.get("/werk/wijzigingen/").content.decode()
    assert "uitbreidingspakket: uitbreidingspakket" in html.lower()
    assert ">EXTENSION<" not in html


def test_the_budget_manager_sees_the_payments_and_not_the_decisions(client, demo):
    waiting = _waiting()
    login(client, "budget")
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/werk/"
    overview = client.get("/werk/").content.decode()
    assert "/werk/betalingen/" in overview
    assert "/werk/beslissen/" not in overview
    assert waiting["betalingen"] in client.get("/werk/betalingen/").content.decode()
    assert client.get("/werk/beslissen/").status_code == 403
    assert client.get("/werk/wijzigingen/").status_code == 403


def test_providers_see_no_work_list_and_unknown_lists_are_404(client, demo):
    login(client, "provider")
    assert client.get("/werk/").status_code == 403
    assert client.get("/werk/betalingen/").status_code == 403
    login(client, "reviewer")
    assert client.get("/werk/onbestaand/").status_code == 404


@pytest.mark.parametrize("status", [Status.CLOSED, Status.IN_PROGRESS, Status.REJECTED])
def test_search_finds_a_file_whatever_its_status(client, demo, status):
    application = Application.objects.filter(status=status).select_related("enterprise").first()
    login(client, "analyst")
    for q in (
        application.reference,
        application.enterprise.name,
        application.enterprise.number.replace(".", ""),
    ):
        page = client.get("/werk/zoeken/", {"q": q})
        assert page.status_code == 200
        assert application.reference in page.content.decode(), q


def test_search_refuses_providers(client, demo):
    login(client, "provider")
    assert client.get("/werk/zoeken/", {"q": "CS-"}).status_code == 403


def test_work_lists_paginate(client, demo):
    login(client, "reviewer")
    page = client.get("/werk/beslissen/", {"per_page": 5})
    assert page.status_code == 200
    assert len(page.context["rows"]) <= 5


def test_my_files_flag_a_late_final_report_and_name_the_packages(client, demo):
    late = Application.objects.get(enterprise__name="Bakkerij Jacobs Leuven BV")
    login(client, "provider")
    page = client.get("/dossiers/", {"q": late.reference})
    html = page.content.decode()
    assert late.reference in html
    assert "eindverslag te laat" in html
    assert "START-pakket" in html
    everything = client.get("/dossiers/", {"per_page": 100}).content.decode()
    body = everything.split("<tbody>")[1]
    for code in ("CHECK_PLAN", ">MEDIUM<", ">PLUS<", ">START<"):
        assert code not in body


def test_search_by_a_partial_number_or_name_and_beyond_the_id_list(client, demo, monkeypatch):
    """A partial enterprise number is matched through a list of enterprise ids; past
    SEARCH_MAX_ENTERPRISES the same answer comes from a subquery."""
    from csgrants.web import selectors

    application = Application.objects.filter(status=Status.CLOSED).first()
    number = application.enterprise.number.replace(".", "")[:6]
    name = application.enterprise_name[3:12].lower()
    login(client, "analyst")
    default = selectors.SEARCH_MAX_ENTERPRISES
    found = {}
    for cap in (default, 0):
        monkeypatch.setattr(selectors, "SEARCH_MAX_ENTERPRISES", cap)
        for q in (number, name, f"{name} {number}"):
            found[(cap, q)] = list(selectors.search_files(q))
            page = client.get("/werk/zoeken/", {"q": q})
            if q != f"{name} {number}":
                assert application.reference in page.content.decode(), q
    for q in (number, name, f"{name} {number}"):
        assert found[(0, q)] == found[(default, q)], q


def test_the_name_search_uses_the_trigram_index(postgres_only, demo):
    """The index is on the exact expression Django writes for icontains; a drift (another
    lookup, another cast) would silently bring back the scan of every file."""
    from django.db import connection

    from csgrants.web import selectors

    sql, params = selectors.search_files("Bakkerij")[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        # A demo-sized table is read whole or along the primary key; leave the planner only
        # bitmap scans, which it can build from an index only if one matches the expression.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "application_enterprise_name_trgm" in plan, plan
    assert "application_reference_trgm" in plan, plan


def test_a_search_is_planned_for_what_was_typed(postgres_only, client, demo):
    """After five runs psycopg prepares the statement and PostgreSQL may pick a generic plan
    that reads every file; a searched (capped) list asks for custom plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, "analyst")
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(7):
            assert client.get("/werk/zoeken/", {"q": "Bakkerij"}).status_code == 200
    sets = [q["sql"] for q in ctx.captured_queries if "'force_custom_plan'" in q["sql"]]
    assert len(sets) == 7, sets
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "auto"  # SET LOCAL: the transaction's only
