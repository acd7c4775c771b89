"""policy_in_force keeps a version in use (never edited again) and reads any other afresh; a
kept version is read again after a change, made in this process or another."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csgrants.catalogue.models import Package, PolicyRate, PolicyVersion
from csgrants.catalogue.selectors import policy_in_force
from csgrants.core.models import ReferenceDataVersion

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def _kmo_rate(policy) -> Decimal | None:
    return policy.rate_for("kmo")


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
        # What the callers read of it: rates and admitted packages, prefetched or kept.
        _kmo_rate(result)
        list(result.admitted_packages.all())
    return result, len(ctx.captured_queries)


def test_a_version_not_in_use_is_read_afresh_each_time():
    """It may still be edited, even by a bulk update that sends no signal."""
    policy = policy_in_force(TODAY)
    PolicyRate.objects.filter(policy=policy, enterprise_kind__code="kmo").update(
        rate_pct=Decimal("33.00")
    )
    assert _kmo_rate(policy_in_force(TODAY)) == Decimal("33.00")


def test_a_version_in_use_is_kept_in_the_process(make_application):
    from csgrants.core import reference

    make_application("submitted")
    # The confirmation read the version once it was in use: start from an empty process copy.
    reference.forget()
    first, first_queries = _queries(lambda: policy_in_force(TODAY))
    again, again_queries = _queries(lambda: policy_in_force(TODAY))
    assert again is first
    assert again_queries == 1  # which version is in force; its rates and packages are kept
    assert first_queries > again_queries


def test_a_newer_version_takes_over_at_once(make_application):
    make_application("submitted")
    in_use = policy_in_force(TODAY)
    assert in_use.valid_from < TODAY  # the seeded version
    newer = PolicyVersion.objects.create(
        name="Newer",
        valid_from=TODAY,
        min_cost_eur=in_use.min_cost_eur,
        max_cost_eur=in_use.max_cost_eur,
    )
    PolicyVersion.objects.filter(pk=newer.pk).update(name="Newer, renamed")  # no signal
    found = policy_in_force(TODAY)
    assert found.pk == newer.pk
    assert found.name == "Newer, renamed"  # not in use: read afresh
    assert _kmo_rate(found) is None  # no rates yet: kmo is not admitted under it


@pytest.mark.parametrize("change", ["rate", "version", "package"])
def test_saving_what_a_kept_version_holds_forgets_it(make_application, change):
    """The admin refuses to edit a version in use; should it change anyway through the models
    in this process, the next read sees it."""
    make_application("submitted")
    policy = policy_in_force(TODAY)
    if change == "rate":
        rate = PolicyRate.objects.get(policy=policy, enterprise_kind__code="kmo")
        rate.rate_pct = Decimal("41.00")
        rate.save()
        assert _kmo_rate(policy_in_force(TODAY)) == Decimal("41.00")
    elif change == "version":
        policy.decision_term_working_days = 12
        policy.save()
        assert policy_in_force(TODAY).decision_term_working_days == 12
    else:
        extra = Package.objects.exclude(pk__in=policy.admitted_packages.all()).first()
        assert extra is not None
        policy.admitted_packages.add(extra)
        assert extra in policy_in_force(TODAY).admitted_packages.all()


def test_a_kept_version_changed_by_another_process_is_read_again(make_application):
    """Another process's change reaches this one through the reference data's token
    (core.reference), not through this process's signals."""
    make_application("submitted")
    policy = policy_in_force(TODAY)
    PolicyRate.objects.filter(policy=policy, enterprise_kind__code="kmo").update(
        rate_pct=Decimal("44.00")
    )
    assert _kmo_rate(policy_in_force(TODAY)) == _kmo_rate(policy)  # kept: no signal was sent
    ReferenceDataVersion.objects.filter(pk=1).update(token=4242)  # the other process's commit
    assert _kmo_rate(policy_in_force(TODAY)) == Decimal("44.00")


def test_a_schedule_applies_the_rule_of_policy_in_force_reading_each_version_once():
    """PolicySchedule (bulk work over many dates, the history import) gives the version that
    policy_in_force gives on every date, NO_POLICY before the first, and reads the start dates
    and each version once: no query per date."""
    from csgrants.catalogue.selectors import PolicySchedule
    from csgrants.core.errors import NotFound

    days = [
        dt.date(2020, 12, 31),
        *(dt.date(2021, 1, 1) + dt.timedelta(days=7 * i) for i in range(160)),
    ]
    with CaptureQueriesContext(connection) as ctx:
        schedule = PolicySchedule()
        got = {}
        for day in days:
            try:
                got[day] = schedule.in_force(day).pk
            except NotFound as exc:
                assert exc.code == "NO_POLICY"
                got[day] = None
    versions = {pk for pk in got.values() if pk is not None}
    assert len(versions) == 2  # the seeded 2021 and 2023 versions
    # The token and the start dates, then one read (with its rates and packages) per version.
    assert len(ctx.captured_queries) <= 2 + 3 * len(versions)
    for day, pk in got.items():
        if pk is None:
            with pytest.raises(NotFound):
                policy_in_force(day)
        else:
            assert policy_in_force(day).pk == pk
    assert schedule.in_force(dt.date(2023, 1, 1)).rate_for("kmo") == Decimal("50.00")
