"""service_atomic: the outermost service call is a savepoint (or the transaction); services it
calls join it without savepoints of their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from csgrants.core.models import ClosingDay
from csgrants.core.transactions import insert_if_absent, service_atomic

pytestmark = pytest.mark.django_db

DAY = dt.date(2031, 1, 2)


class Boom(Exception):
    pass


@service_atomic
def inner(day, *, fail=False):
    ClosingDay.objects.create(day=day, description="inner")
    if fail:
        raise Boom


@service_atomic
def outer(*, fail_inner=False):
    ClosingDay.objects.create(day=DAY, description="outer")
    inner(DAY + dt.timedelta(days=1), fail=fail_inner)
    inner(DAY + dt.timedelta(days=2))


def _savepoints(ctx) -> int:
    return sum(q["sql"].upper().startswith("SAVEPOINT") for q in ctx.captured_queries)


def test_nested_services_open_no_savepoint_of_their_own():
    with CaptureQueriesContext(connection) as ctx:
        outer()
    # The test runs in a transaction: the outermost service is one savepoint, the two nested
    # calls add none.
    assert _savepoints(ctx) == 1
    assert ClosingDay.objects.filter(day__gte=DAY).count() == 3


def test_a_nested_failure_rolls_back_the_whole_service_and_the_caller_goes_on():
    ClosingDay.objects.create(day=DAY - dt.timedelta(days=1), description="before")
    with pytest.raises(Boom):
        outer(fail_inner=True)
    # The caller caught the error: its transaction is still usable, the service left nothing.
    assert list(
        ClosingDay.objects.filter(day__gte=DAY - dt.timedelta(days=1)).values_list(
            "description", flat=True
        )
    ) == ["before"]


def test_a_caught_database_error_inside_a_service_keeps_its_own_savepoint():
    """Code that catches a database error and goes on wraps that statement in
    transaction.atomic(): the service's joined transaction stays usable."""

    @service_atomic
    def tolerant():
        inner(DAY)
        try:
            with transaction.atomic():
                ClosingDay.objects.create(day=DAY, description="duplicate")
        except IntegrityError:
            pass
        inner(DAY + dt.timedelta(days=1))

    tolerant()
    assert ClosingDay.objects.filter(day__gte=DAY).count() == 2


def test_a_view_groups_services_with_the_same_helper():
    with CaptureQueriesContext(connection) as ctx, pytest.raises(Boom), service_atomic():
        inner(DAY)
        inner(DAY + dt.timedelta(days=1), fail=True)
    assert _savepoints(ctx) == 1
    assert not ClosingDay.objects.filter(day__gte=DAY).exists()
    # The depth is back to zero: the next service call is outermost again.
    with CaptureQueriesContext(connection) as ctx:
        inner(DAY)
    assert _savepoints(ctx) == 1


def test_insert_if_absent_inserts_once_without_a_savepoint():
    from csgrants.enterprises.models import Enterprise

    def enterprise(name):
        return Enterprise(number="0403170701", name=name, kind="kmo", postal_code="9000")

    first = enterprise("first")
    with CaptureQueriesContext(connection) as ctx:
        assert insert_if_absent(first, unique=("number",)) is True
        assert insert_if_absent(enterprise("second"), unique=("number",)) is False
    assert _savepoints(ctx) == 0 and len(ctx.captured_queries) == 2
    assert first.pk is not None and not first._state.adding
    assert list(Enterprise.objects.values_list("pk", "name")) == [(first.pk, "first")]


def test_insert_if_absent_refuses_a_model_with_save_receivers():
    from csgrants.catalogue.models import ServiceProvider  # its budget row comes from post_save

    with pytest.raises(TypeError, match="save signal receivers"):
        insert_if_absent(ServiceProvider(code="X", name="X"), unique=("code",))
