"""Audit events are collected per service and inserted together as it ends, in its transaction:
what a service changed and what it recorded commit or roll back together."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from csgrants.core import audit
from csgrants.core.audit import audit_record
from csgrants.core.models import AuditEvent, ClosingDay
from csgrants.core.transactions import service_atomic

pytestmark = pytest.mark.django_db

DAY = dt.date(2032, 3, 1)


class Boom(Exception):
    pass


def _inserts(ctx) -> int:
    return sum(q["sql"].startswith('INSERT INTO "core_auditevent"') for q in ctx.captured_queries)


def close(day: dt.date, action: str) -> ClosingDay:
    closing = ClosingDay.objects.create(day=day, description=action)
    audit_record(actor=None, action=action, obj=closing, after={"day": day})
    return closing


@service_atomic
def nested(day: dt.date, *, fail=False):
    close(day, "nested")
    if fail:
        raise Boom


@service_atomic
def service(*, fail=False, nested_fails=False):
    close(DAY, "first")
    nested(DAY + dt.timedelta(days=1), fail=nested_fails)
    close(DAY + dt.timedelta(days=2), "last")
    if fail:
        raise Boom


def actions() -> list[str]:
    return [e.action for e in AuditEvent.objects.order_by("created_at", "id")]


def test_a_service_inserts_its_events_in_one_statement_as_it_ends():
    with CaptureQueriesContext(connection) as ctx:
        service()
    assert _inserts(ctx) == 1
    # The insert is the service's last statement: after every change it audits.
    assert ctx.captured_queries[-2]["sql"].startswith('INSERT INTO "core_auditevent"')
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["first", "nested", "last"]
    # Each keeps the time it was recorded, not the time of the insert.
    assert events[0].created_at < events[1].created_at < events[2].created_at


def test_a_failed_service_leaves_neither_changes_nor_events():
    with pytest.raises(Boom):
        service(fail=True)
    with pytest.raises(Boom):
        service(nested_fails=True)
    assert not ClosingDay.objects.filter(day__gte=DAY).exists()
    assert actions() == []
    service()  # nothing of the failed calls is left over for the next one
    assert actions() == ["first", "nested", "last"]


def test_events_inside_a_savepoint_of_the_service_are_written_in_its_scope():
    """A savepoint the service opens may roll back on its own: an event recorded inside it is
    written at once, so that it goes or stays with that savepoint's changes."""

    @service_atomic
    def tolerant():
        close(DAY, "kept")
        try:
            with transaction.atomic():
                close(DAY + dt.timedelta(days=1), "rolled back")
                raise Boom
        except Boom:
            pass
        with transaction.atomic():
            close(DAY + dt.timedelta(days=2), "savepoint kept")
        close(DAY + dt.timedelta(days=3), "also kept")

    tolerant()
    assert actions() == ["kept", "savepoint kept", "also kept"]
    assert list(ClosingDay.objects.filter(day__gte=DAY).values_list("description", flat=True)) == [
        "kept",
        "savepoint kept",
        "also kept",
    ]


def test_outside_a_service_an_event_is_written_at_once():
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        close(DAY, "alone")
        assert _inserts(ctx) == 1
        assert actions() == ["alone"]


def test_a_long_service_flushes_as_it_goes(monkeypatch):
    monkeypatch.setattr(audit, "FLUSH_AT", 3)

    @service_atomic
    def many():
        for i in range(7):
            close(DAY + dt.timedelta(days=i), f"day {i}")

    with CaptureQueriesContext(connection) as ctx:
        many()
    assert _inserts(ctx) == 3  # 3, 3, then the last one as the service ends
    assert actions() == [f"day {i}" for i in range(7)]
