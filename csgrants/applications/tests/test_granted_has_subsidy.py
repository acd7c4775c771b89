"""A granted file has a subsidy (issue 19): the approval refuses a file without one, the
database refuses such a row, and the migration that adds the check prices the files approved
for EUR 0 before it and commits what their approval should have committed."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction

from csgrants.applications import services
from csgrants.applications.models import Application, Status
from csgrants.budgets.models import LedgerEntry
from csgrants.core.errors import TransitionNotAllowed
from csgrants.core.money import percentage_of


def test_a_file_without_a_subsidy_is_not_approved(make_application, reviewer, funded):
    app = make_application("submitted", enterprise_kind="kmo")
    Application.objects.filter(pk=app.pk).update(subsidy_eur=None)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.decision_record(actor=reviewer, application=app, outcome="approved")
    assert exc.value.code == "NO_SUBSIDY"
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert not LedgerEntry.objects.filter(application=app).exists()


def test_the_database_refuses_a_granted_file_without_a_subsidy(make_application, funded):
    app = make_application("approved")
    for subsidy in (None, Decimal("0.00")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Application.objects.filter(pk=app.pk).update(subsidy_eur=subsidy)


def test_the_migration_prices_files_approved_for_nothing(make_application, reviewer, funded):
    """Migration 0009's data step, on a file approved for EUR 0 the way the old code did it
    (the check is lifted for the test's transaction to make such a file, as before 0009)."""
    app = make_application("submitted")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cur.execute(
                "ALTER TABLE applications_application "
                "DROP CONSTRAINT application_granted_has_subsidy"
            )
        else:
            cur.execute("PRAGMA ignore_check_constraints = 1")
    try:
        Application.objects.filter(pk=app.pk).update(
            status=Status.APPROVED, subsidy_eur=None, rate_pct=None, decided_on=dt.date(2026, 3, 6)
        )
        migration = importlib.import_module(
            "csgrants.applications.migrations.0010_granted_has_subsidy"
        )
        migration.price_granted_files_without_subsidy(django_apps, None)
    finally:
        if connection.vendor != "postgresql":
            with connection.cursor() as cur:
                cur.execute("PRAGMA ignore_check_constraints = 0")
    priced = Application.objects.get(pk=app.pk)
    expected = percentage_of(priced.cost_eur, priced.policy.rate_for("kmo"))
    assert priced.subsidy_eur == expected > 0
    assert priced.rate_pct == priced.policy.rate_for("kmo")
    commit = LedgerEntry.objects.get(application=priced, kind="commit")
    assert (commit.amount_eur, commit.entry_date) == (expected, dt.date(2026, 3, 6))
