"""The review queue's check-outcome filter reads each file's latest check run only: a file whose
earlier run failed and whose latest passes is not "checks failed" (issue 21's queue, rewritten
as a correlated EXISTS for the page budget)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from csgrants.applications.models import CheckResult, CheckRun
from csgrants.web import selectors

T0 = timezone.make_aware(dt.datetime(2025, 4, 7, 10, 0))


def _run(application, at, outcomes):
    run = CheckRun.objects.create(
        application=application, all_passed=all(o == "pass" for o in outcomes)
    )
    CheckRun.objects.filter(pk=run.pk).update(run_at=at)  # auto_now_add: set after
    for i, outcome in enumerate(outcomes):
        CheckResult.objects.create(
            run=run, code=f"C{i}", outcome=outcome, message_nl="-", message_en="-"
        )
    return run


@pytest.fixture
def files(make_application):
    made = {k: make_application("submitted") for k in ("fails", "fixed", "warns", "both", "tie")}
    for app in made.values():
        app.check_runs.all().delete()
    _run(made["fails"], T0, ["pass", "fail"])
    _run(made["fixed"], T0, ["fail"])
    _run(made["fixed"], T0 + dt.timedelta(hours=1), ["pass", "pass"])
    _run(made["warns"], T0, ["warn", "pass"])
    _run(made["both"], T0, ["warn", "fail"])
    # Two runs in the same instant: the later id is the latest.
    _run(made["tie"], T0, ["pass"])
    _run(made["tie"], T0, ["fail"])
    return made


def _ids(outcome):
    return set(selectors.review_queue(outcome=outcome))


def test_each_outcome_follows_the_latest_run(files):
    pk = {k: a.pk for k, a in files.items()}
    assert _ids("fail") == {pk["fails"], pk["both"], pk["tie"]}
    assert _ids("warn") == {pk["warns"]}
    assert _ids("pass") == {pk["fixed"]}
    assert _ids("") == set(pk.values())
