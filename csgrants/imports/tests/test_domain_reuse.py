"""The history import takes its rules from the domain (issue 19): working days from
core.calendar, prices from the one pricing function, a file without a subsidy never approved."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from conftest import make_user
from csgrants.accounts.models import Role
from csgrants.api.tokens import token_create
from csgrants.applications.models import Application
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.selectors import provider_balance
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.calendar import default_calendar

from .test_import import APP_HEADER, write


def _import(folder):
    call_command("import_history", str(folder), "--no-progress")


def test_a_file_reaching_back_across_a_year_end_imports_with_its_working_days(db, tmp_path):
    """Submitted Tue 20 Dec 2022, decided Thu 5 Jan 2023: 21-23 Dec (3), 26-30 Dec (5; Christmas
    fell on a Sunday and is lost), 2-5 Jan (4; New Year likewise) = 12 working days. A later
    year's file first makes the import's calendar start in 2023."""
    write(
        tmp_path,
        "applications.csv",
        APP_HEADER,
        [
            "CS-2023-0001,P01,0202.239.951,Metaal Maes NV,kmo,3500,PLUS,,20000.00,10000.00,2023-03-01,approved,2023-03-03,",
            "CS-2022-0099,P01,0403.170.701,Bakkerij Peeters BV,kmo,9000,PLUS,,35000.00,15750.00,2022-12-20,approved,2023-01-05,",
        ],
    )
    _import(tmp_path)
    app = Application.objects.get(reference="CS-2022-0099")
    assert app.processing_working_days == 12
    assert app.processing_working_days == default_calendar().working_days_between(
        app.submitted_on, app.decided_on
    )
    # The due date comes from the same calendar: the 10th working day after submission.
    assert str(app.decision_due_on) == "2023-01-03"


def _client(user) -> APIClient:
    _token, raw = token_create(actor=None, user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_an_imported_open_file_is_priced_and_approved_for_its_subsidy(db, tmp_path):
    """An open file without subsidy_eur (the contract allows it) is priced on import like a
    filed one (policy in force on the submission date: 50% from 2023), and approving it through
    the API commits that subsidy, never EUR 0."""
    write(
        tmp_path,
        "allocations.csv",
        "service_provider,allocated_on,amount_eur,note",
        ["P01,2024-01-01,100000.00,framework agreement"],
    )
    write(
        tmp_path,
        "applications.csv",
        APP_HEADER,
        [
            "CS-2025-0001,P01,0403.170.701,Bakkerij Peeters BV,kmo,9000,PLUS,,30000.00,,2025-03-03,submitted,,",
        ],
    )
    _import(tmp_path)
    app = Application.objects.get(reference="CS-2025-0001")
    assert app.subsidy_eur == Decimal("15000.00")
    assert app.rate_pct == Decimal("50.00")

    reviewer = make_user("rev", Role.REVIEWER)
    r = _client(reviewer).post(
        "/api/v1/applications/CS-2025-0001/decision/", {"outcome": "approved"}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["subsidy_eur"] == "15000.00"
    provider = ServiceProvider.objects.get(code="P01")
    commits = LedgerEntry.objects.filter(application=app, kind="commit")
    assert [c.amount_eur for c in commits] == [Decimal("15000.00")]
    assert provider_balance(provider).committed == Decimal("15000.00")


def test_an_approved_file_without_a_subsidy_is_refused_with_its_line(db, tmp_path):
    write(
        tmp_path,
        "applications.csv",
        APP_HEADER,
        [
            "CS-2025-0001,P01,0403.170.701,Bakkerij Peeters BV,kmo,9000,PLUS,,30000.00,0.00,2025-03-03,approved,2025-03-05,",
        ],
    )
    with pytest.raises(CommandError):
        _import(tmp_path)
    assert not Application.objects.exists()


def test_the_policy_is_read_once_per_version_not_once_per_date(db, tmp_path):
    """Files on many distinct dates: the import asks the catalogue which version is in force on
    each date, but reads the versions once (a query per date made a million-row import spend
    minutes on it), and open files are still priced as catalogue.pricing prices them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from csgrants.catalogue.pricing import price

    rows = []
    for i in range(60):
        day = date(2022, 11, 1) + timedelta(days=2 * i)  # across the 2023 policy change
        rows.append(
            f"CS-2022-{i:04d},P01,0403.170.701,Bakkerij Peeters BV,kmo,9000,PLUS,,20000.00,,"
            f"{day.isoformat()},submitted,,"
        )
    write(tmp_path, "applications.csv", APP_HEADER, rows)
    with CaptureQueriesContext(connection) as ctx:
        _import(tmp_path)
    policy_reads = [
        q["sql"] for q in ctx.captured_queries if '"catalogue_policyversion"' in q["sql"]
    ]
    token_reads = [
        q["sql"] for q in ctx.captured_queries if "core_referencedataversion" in q["sql"]
    ]
    assert len(policy_reads) <= 3, policy_reads  # the start dates, and each of the two versions
    assert len(token_reads) <= 5, len(token_reads)
    for app in Application.objects.all():
        expected = price(enterprise_kind="kmo", cost_eur=app.cost_eur, on=app.submitted_on)
        assert app.subsidy_eur == expected.subsidy_eur
        assert app.policy_id == expected.policy.pk
