"""Reference data kept per process (core.reference): reused while its token is unchanged,
reloaded after a change made anywhere, never a rolled-back change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from csgrants.catalogue.models import Package, PackageAlias
from csgrants.catalogue.selectors import package_resolve
from csgrants.core import reference
from csgrants.core.calendar import default_calendar
from csgrants.core.models import ClosingDay, ReferenceDataVersion

pytestmark = pytest.mark.django_db

DAY = dt.date(2033, 6, 7)  # a Tuesday


def test_a_copy_is_reused_until_the_token_changes():
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    assert reference.cached("x", load) == 1
    with CaptureQueriesContext(connection) as ctx:
        assert reference.cached("x", load) == 1
    assert len(ctx.captured_queries) == 1  # the token, nothing else
    reference.reference_changed()
    assert reference.cached("x", load) == 2


def test_a_change_through_the_orm_is_seen_at_once():
    assert default_calendar().is_working_day(DAY)
    ClosingDay.objects.create(day=DAY, description="extra")
    assert not default_calendar().is_working_day(DAY)
    ClosingDay.objects.filter(day=DAY).get().delete()
    assert default_calendar().is_working_day(DAY)


def test_a_change_made_by_another_process_is_seen():
    """Another process changed the data and the token in its transaction: this process's
    signals saw nothing, the token tells it."""
    assert default_calendar().is_working_day(DAY)
    ClosingDay.objects.bulk_create([ClosingDay(day=DAY)])  # no signal, as from elsewhere
    assert default_calendar().is_working_day(DAY)  # the documented limit: call reference_changed
    ReferenceDataVersion.objects.filter(pk=1).update(token=12345)
    assert not default_calendar().is_working_day(DAY)


def test_a_copy_loaded_inside_a_rolled_back_transaction_is_not_reused():
    with pytest.raises(RuntimeError), transaction.atomic():
        ClosingDay.objects.create(day=DAY, description="never")
        assert not default_calendar().is_working_day(DAY)
        raise RuntimeError
    assert default_calendar().is_working_day(DAY)


def test_packages_by_code_or_former_name_each_caller_its_own_instance():
    medium = Package.objects.get(code="MEDIUM")
    PackageAlias.objects.create(package=medium, name="Midden-oud")
    first, second = package_resolve("midden-OUD"), package_resolve("medium")
    assert first == second == medium and first is not second
    first.name_nl = "changed"
    assert package_resolve("MEDIUM").name_nl == medium.name_nl


def _token_reads(ctx):
    return sum('"core_referencedataversion"' in q["sql"].lower() for q in ctx.captured_queries)


def test_a_request_reads_the_token_once_and_sees_other_changes_in_the_next():
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    reference.on_request_started()
    try:
        with CaptureQueriesContext(connection) as ctx:
            assert [reference.cached("x", load) for _ in range(3)] == [1, 1, 1]
        assert _token_reads(ctx) == 1
        ReferenceDataVersion.objects.filter(pk=1).update(token=12345)  # another process
        assert reference.cached("x", load) == 1  # this request: as if it had come earlier
    finally:
        reference.on_request_finished()
    reference.on_request_started()
    try:
        assert reference.cached("x", load) == 2
    finally:
        reference.on_request_finished()


def test_a_request_that_changes_reference_data_sees_its_change_and_its_rollback():
    reference.on_request_started()
    try:
        assert default_calendar().is_working_day(DAY)
        with pytest.raises(RuntimeError), transaction.atomic():
            ClosingDay.objects.create(day=DAY, description="never")
            assert not default_calendar().is_working_day(DAY)
            raise RuntimeError
        with CaptureQueriesContext(connection) as ctx:
            assert default_calendar().is_working_day(DAY)
            assert default_calendar().is_working_day(DAY)
        assert _token_reads(ctx) == 2  # every time, since its change
    finally:
        reference.on_request_finished()
