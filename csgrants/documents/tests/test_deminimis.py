"""The EU de minimis register (Regulation (EU) 2023/2831, art. 6): entries made with the
decisions, the due date on the working-day calendar, the export and the acknowledgement through
the command, the staff board and the reviewers' digest."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from conftest import confirm_amendment
from csgrants.applications import amendments, services
from csgrants.core import clock
from csgrants.documents.deminimis import EXPORT_COLUMNS, register_due_on
from csgrants.documents.models import RegisterEntry


@pytest.mark.parametrize(
    ("granted_on", "due_on"),
    [
        # Easter Monday 6 April 2026 does not count.
        (dt.date(2026, 3, 27), dt.date(2026, 4, 27)),
        # 11 July 2025 (Friday, Flemish Community) and 21 July (Monday) do not count.
        (dt.date(2025, 7, 1), dt.date(2025, 7, 31)),
        # The year end: 25 December and 1 January do not count.
        (dt.date(2026, 12, 15), dt.date(2027, 1, 14)),
    ],
)
@pytest.mark.django_db
def test_due_date_is_twenty_working_days_after_the_grant(granted_on, due_on):
    assert register_due_on(granted_on) == due_on


def export(fmt="csv", tmp_path=None) -> str:
    out = io.StringIO()
    call_command("deminimis_register", "export", "--format", fmt, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_approval_amendment_and_stop_make_entries(make_application, reviewer, provider_user):
    with clock.frozen(dt.date(2026, 3, 27)):
        app = make_application("in_progress", reviewer=reviewer)
    [add] = RegisterEntry.objects.filter(application=app)
    assert (add.kind, add.amount_eur, add.granted_on) == (
        "add",
        app.subsidy_eur,
        dt.date(2026, 3, 27),
    )
    assert add.due_on == dt.date(2026, 4, 27)
    assert add.beneficiary_number == app.enterprise.number
    assert add.nace_code == "" and add.nace_missing  # no KBO register loaded
    amendment = amendments.amendment_request(
        actor=provider_user,
        application=app,
        kind="extension",
        package="EXTENSION",
        extra_cost_eur="3000",
    )
    confirm_amendment(amendment)
    amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    amend = RegisterEntry.objects.get(application=app, kind="amend")
    assert amend.amount_eur == app.subsidy_eur + amendment.extra_subsidy_eur
    services.application_stop(actor=reviewer, application=app, reasons=["NOT_SME"])
    delete = RegisterEntry.objects.get(application=app, kind="delete")
    assert delete.amount_eur == Decimal("0.00")
    # A rejection and the withdrawal of a draft are no grants.
    rejected = make_application("rejected")
    withdrawn = make_application("withdrawn_draft")
    assert not RegisterEntry.objects.filter(application__in=[rejected, withdrawn]).exists()


@pytest.mark.django_db
def test_a_withdrawal_after_approval_deletes_the_grant(make_application):
    app = make_application("withdrawn")
    assert list(RegisterEntry.objects.filter(application=app).values_list("kind", flat=True)) == [
        "add",
        "delete",
    ]


@pytest.mark.django_db
def test_the_nace_code_comes_from_the_kbo_main_activity(make_application):
    with connection.cursor() as cursor:
        for version, code, classification in (
            ("2008", "62010", "MAIN"),
            ("2025", "62100", "MAIN"),
            ("2025", "70220", "SECO"),
        ):
            cursor.execute(
                "INSERT INTO enterprises_kboactivity (entity_number, activity_group, nace_version, nace_code, classification) VALUES (%s, %s, %s, %s, %s)",
                ["0403.170.701", "001", version, code, classification],
            )
    app = make_application("approved", number="0403.170.701")
    entry = RegisterEntry.objects.get(application=app)
    assert (entry.nace_code, entry.nace_version, entry.nace_missing) == ("62100", "2025", False)


@pytest.mark.django_db
def test_export_twice_gives_the_same_entries_until_acknowledged(make_application, tmp_path):
    with clock.frozen(dt.date(2026, 3, 2)):
        first = make_application("approved")
    with clock.frozen(dt.date(2026, 2, 2)):
        second = make_application("approved")
    text = export()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(csv.reader(io.StringIO(text)).__next__()) == EXPORT_COLUMNS
    assert [r["reference"] for r in rows] == [second.reference, first.reference]  # oldest due first
    assert rows[0]["amount_eur"] == f"{second.subsidy_eur:.2f}"
    assert rows[0]["instrument"] == "grant"
    assert export() == text
    data = json.loads(export("json"))
    assert [d["reference"] for d in data] == [second.reference, first.reference]
    xlsx = tmp_path / "register.xlsx"
    call_command(
        "deminimis_register",
        "export",
        "--format",
        "xlsx",
        "--output",
        str(xlsx),
        stderr=io.StringIO(),
    )
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert [c.value for c in sheet[1]] == list(EXPORT_COLUMNS)
    assert sheet.max_row == 3


@pytest.mark.django_db
def test_a_partial_acknowledgement(make_application, tmp_path):
    apps = [make_application("approved") for _ in range(3)]
    answer = tmp_path / "answer.csv"
    answer.write_text(
        "reference,kind,register_id,error\n"
        f"{apps[0].reference},add,SAM-2026-000123,\n"
        f"{apps[1].reference},add,,Beneficiary identifier unknown\n"
        "CS-1999-00001,add,SAM-X,\n"
    )
    out = io.StringIO()
    call_command("deminimis_register", "acknowledge", str(answer), stdout=out)
    assert "acknowledged 1, failed 1" in out.getvalue()
    entries = {e.application_id: e for e in RegisterEntry.objects.all()}
    assert entries[apps[0].pk].status == "acknowledged"
    assert entries[apps[0].pk].register_id == "SAM-2026-000123"
    assert entries[apps[1].pk].status == "failed"
    assert entries[apps[1].pk].error == "Beneficiary identifier unknown"
    assert entries[apps[2].pk].status == "pending"
    remaining = [r["reference"] for r in csv.DictReader(io.StringIO(export()))]
    assert sorted(remaining) == sorted([apps[1].reference, apps[2].reference])


@pytest.mark.django_db
def test_the_board_and_the_digest_show_overdue_entries(make_application, reviewer, client):
    with clock.frozen(dt.date(2026, 1, 5)):
        late = make_application("approved")
    with clock.frozen(dt.date(2026, 2, 27)):
        soon = make_application("approved")  # due 27 March
    today = dt.date(2026, 3, 23)
    with clock.frozen(today):
        client.force_login(reviewer)
        page = client.get("/documenten/").content.decode()
    overdue_part = page.split('id="register-overdue"')[1].split("</div>")[0]
    soon_part = page.split('id="register-due-soon"')[1].split("</div>")[0]
    assert late.reference in overdue_part and soon.reference not in overdue_part
    assert soon.reference in soon_part and late.reference not in soon_part
    reviewer.email = "rev@agency.example"
    reviewer.save()
    from csgrants.notifications.reminders import digest_send

    assert digest_send(today) == 1
    body = mail.outbox[-1].body
    assert "De-minimisregister" in body and late.reference in body
    assert soon.reference not in body
