"""The distinct counts of the summaries under concurrent writers: each transaction learns from
its upsert's RETURNING what the enterprise's count is after the change, also when another
transaction changed it meanwhile, so two providers approving files of one enterprise at the same
moment count that enterprise once. PostgreSQL only; commits for real."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from csgrants.applications.models import Application, Status
from csgrants.catalogue.models import ServiceProvider
from csgrants.reporting import summaries
from csgrants.reporting.models import ReachCount
from csgrants.reporting.selectors import build_report


@pytest.fixture
def committed(django_db_serialized_rollback, transactional_db):
    """Committed writes, restored afterwards by serialized rollback like every transactional
    test here (a plain flush would re-create the content types with new ids, which a later
    serialized test's reload clashes with)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across connections); set DATABASE_URL")


def _submitted_files(make_application, other_provider_user, n):
    """n files of ONE enterprise, alternating between two providers, submitted in 2022."""
    files = []
    for i in range(n):
        user = other_provider_user if i % 2 else None
        # The services let a provider hold one undecided file per enterprise (issue 20): file
        # for any enterprise, then give them all the first one's by a direct write.
        body = 4_031_700 + i
        digits = f"{body:08d}{97 - body % 97:02d}"
        number = f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
        files.append(make_application("submitted", user=user, number=number))
    Application.objects.filter(pk__in=[f.pk for f in files]).update(
        submitted_on=dt.date(2022, 3, 1), enterprise_id=files[0].enterprise_id
    )
    for f in files:
        f.refresh_from_db()
    return files


def _approve(
    app_id, decided_on, hold: threading.Event | None = None, entered: threading.Event | None = None
):
    try:
        with transaction.atomic():
            Application.objects.filter(pk=app_id).update(
                status=Status.APPROVED, decided_on=decided_on, processing_working_days=3
            )
            if entered is not None:
                entered.set()
            if hold is not None:
                hold.wait(10)  # keep the summary rows locked while the other writer queues
    finally:
        connection.close()


def test_two_providers_approving_one_enterprise_at_once_count_it_once(
    committed, make_application, other_provider_user
):
    first, second = _submitted_files(make_application, other_provider_user, 2)
    assert first.provider_id != second.provider_id
    day = dt.date(2022, 3, 10)
    hold, entered = threading.Event(), threading.Event()
    a = threading.Thread(target=_approve, args=(first.pk, day, hold, entered))
    a.start()
    assert entered.wait(10)
    b = threading.Thread(target=_approve, args=(second.pk, day))
    b.start()
    b.join(0.5)
    assert b.is_alive()  # waiting for the first writer's summary rows
    hold.set()
    a.join(10)
    b.join(10)
    everyone = ReachCount.objects.get(year=2022, provider_id=0)
    assert everyone.enterprises == 1
    for provider_id in (first.provider_id, second.provider_id):
        assert ReachCount.objects.get(year=2022, provider_id=provider_id).enterprises == 1
    assert summaries.check() == {}


def test_many_concurrent_writers_keep_the_summaries_exact(
    committed, make_application, other_provider_user
):
    files = _submitted_files(make_application, other_provider_user, 16)
    barrier = threading.Barrier(len(files), timeout=30)
    errors = []

    def approve(app, k):
        try:
            barrier.wait()
            _approve(app.pk, dt.date(2022, 3, 10 + k % 3))
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=approve, args=(app, k)) for k, app in enumerate(files)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert ReachCount.objects.get(year=2022, provider_id=0).enterprises == 1
    assert summaries.check() == {}
    for provider in ServiceProvider.objects.all():
        fast = build_report([2022], provider.pk, summaries=True)
        direct = build_report([2022], provider.pk, summaries=False)
        fast.pop("generated_at"), direct.pop("generated_at")
        assert fast == direct
