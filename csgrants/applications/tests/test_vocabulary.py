"""The public vocabulary of applications: the status groups agree with the transition table,
the reporting SQL and the ORM say the same thing, and one visibility rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csgrants.applications import statuses
from csgrants.applications.statuses import (
    ENDED_STATUSES,
    GRANTED_STATUSES,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    WAITING_FOR_ENTERPRISE_STATUSES,
    Status,
    approval_decided,
    sql_list,
)
from csgrants.applications.workflow import TRANSITIONS, statuses_allowing


def test_ended_statuses_are_those_the_table_leads_nowhere_from():
    leading = {frm for frm, _to in TRANSITIONS}
    assert set(ENDED_STATUSES) == set(Status.values) - leading


def test_groups_agree_with_the_steps_of_the_table():
    assert set(statuses_allowing("stop")) == set(RUNNING_STATUSES)
    assert set(statuses_allowing("request_info")) <= set(OPEN_STATUSES)
    assert set(statuses_allowing("withdraw")) == {
        Status.DRAFT,
        *WAITING_FOR_ENTERPRISE_STATUSES,
        *OPEN_STATUSES,
        *RUNNING_STATUSES,
    }
    # The enterprise confirms only a file waiting for it, and withdraws its confirmation only
    # while the agency has not decided (issue 22).
    assert set(statuses_allowing("confirm")) == set(WAITING_FOR_ENTERPRISE_STATUSES)
    assert set(statuses_allowing("withdraw_confirmation")) == set(OPEN_STATUSES)
    # every granted status is reached only through an approval
    assert Status.SUBMITTED in {frm for frm, to in TRANSITIONS if to == Status.APPROVED}
    assert set(RUNNING_STATUSES) < set(GRANTED_STATUSES)


def test_an_approval_decided_is_granted_or_withdrawn_after_it():
    from datetime import date

    assert approval_decided(Status.STOPPED, date(2026, 1, 5))
    assert approval_decided(Status.WITHDRAWN, date(2026, 1, 5))
    assert not approval_decided(Status.WITHDRAWN, None)  # withdrawn before any decision
    assert not approval_decided(Status.REJECTED, date(2026, 1, 5))


def test_the_sql_list_is_the_group_and_refuses_anything_else():
    assert sql_list(RUNNING_STATUSES) == "'approved', 'in_progress'"
    with pytest.raises(ValueError):
        sql_list(["approved'); DROP TABLE x; --"])
    assert "'withdrawn'" in statuses.approval_decided_sql("r")


@pytest.mark.django_db
def test_the_sql_and_the_orm_select_the_same_files(make_application, reviewer, funded):
    """Every status with and without a decision date: the reporting triggers' condition and the
    ORM's pick the same rows."""
    from django.db import connection

    from csgrants.applications.models import Application

    app = make_application()
    rows = []
    for status in Status.values:
        for decided in (None, "2026-01-05"):
            rows.append((status, decided))
    ids = []
    for status, decided in rows:
        clone = Application.objects.get(pk=app.pk)
        clone.pk = None
        clone.reference = f"X-{status}-{decided}"
        clone.status = status
        clone.decided_on = decided
        clone.subsidy_eur = Decimal("12000.00")  # a granted file always has one (a DB check)
        clone.save()
        ids.append(clone.pk)
    orm = set(
        Application.objects.filter(pk__in=ids)
        .filter(statuses.approval_decided_q())
        .values_list("pk", flat=True)
    )
    table = Application._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id FROM {table} r WHERE r.id IN ({', '.join(map(str, ids))}) "  # noqa: S608
            f"AND {statuses.approval_decided_sql('r')}"
        )
        sql = {row[0] for row in cursor.fetchall()}
    assert orm == sql
    assert len(orm) == len(GRANTED_STATUSES) + 1  # granted with a date, and withdrawn after one


def test_undecided_files_are_those_neither_decided_nor_ended():
    from csgrants.applications.statuses import (
        DECIDED_STATUSES,
        PENDING_STATUSES,
        UNDECIDED_STATUSES,
    )

    assert set(UNDECIDED_STATUSES) == set(Status.values) - {*DECIDED_STATUSES, *ENDED_STATUSES}
    assert set(PENDING_STATUSES) == set(UNDECIDED_STATUSES) - {Status.DRAFT}
