"""Differential test (issue 19): the same files taken through the services (file, submit,
decide, amend, pay) by one provider, and imported from the equivalent history files for
another, give the same report JSON, the same ledger balances and the same processing times.
Whatever the import computes (working days, due dates, prices, the status history's way
through the workflow) it must compute as the services do."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from conftest import confirm, confirm_amendment, filing_fields
from csgrants.applications import amendments, services, trajectory
from csgrants.applications.models import Application, Decision, StatusChange
from csgrants.applications.tests.after_helpers import at, report_data
from csgrants.budgets.selectors import provider_balance
from csgrants.budgets.services import allocation_create
from csgrants.core.enterprise_number import from_base
from csgrants.imports.services import history_import
from csgrants.reporting.renderers import render_json
from csgrants.reporting.selectors import build_report

from .test_import import AMEND_HEADER, APP_HEADER, write

D = dt.date
# (key, enterprise number, cost, submitted, decided, outcome) -- outcome as the history names it
FILES = [
    ("A", "0403.170.701", "24000.00", D(2024, 3, 4), D(2024, 3, 8), "closed"),
    ("B", "0202.239.951", "24000.00", D(2024, 5, 6), D(2024, 5, 10), "rejected"),
    ("C", "0417.497.106", "20000.00", D(2024, 6, 3), D(2024, 6, 5), "withdrawn"),
    ("G", "0404.616.494", "18000.00", D(2024, 7, 1), D(2024, 7, 5), "completed"),
    ("E", "0203.201.340", "30000.00", D(2024, 9, 2), D(2024, 9, 13), "approved"),
    ("F", from_base(2074467), "26000.00", D(2024, 12, 20), D(2025, 1, 6), "approved"),
    ("O", from_base(4318521), "22000.00", D(2024, 11, 4), None, "submitted"),
]
AMENDMENT = ("A", "EXTENSION", "6000.00", D(2024, 4, 2), D(2024, 4, 5))
ALLOCATION = (D(2024, 1, 2), Decimal("200000.00"))


def through_the_services(provider, user, reviewer, admin):
    with at(ALLOCATION[0]):
        allocation_create(
            actor=admin, provider=provider, amount_eur=ALLOCATION[1], allocated_on=ALLOCATION[0]
        )
    made = {}
    for key, number, cost, submitted, decided, outcome in FILES:
        with at(submitted):
            app = services.application_create(
                actor=user,
                provider=provider,
                submit=True,
                **filing_fields(
                    enterprise_number=number, enterprise_name=f"Onderneming {key}", cost_eur=cost
                ),
            )
            # The enterprise confirms the same day: the history format knows only submission.
            app = confirm(app)
        made[key] = app
        if outcome == "submitted":
            continue
        with at(decided):
            if outcome == "withdrawn":
                services.application_withdraw(actor=user, application=app)
                continue
            if outcome == "rejected":
                services.decision_record(
                    actor=reviewer, application=app, outcome="rejected", reasons=["NOT_SME"]
                )
                continue
            services.decision_record(actor=reviewer, application=app, outcome="approved")
    key, package, extra, requested, decided = AMENDMENT
    with at(requested):
        amendment = amendments.amendment_request(
            actor=user,
            application=made[key],
            kind="extension",
            package=package,
            extra_cost_eur=extra,
        )
    with at(decided):
        confirm_amendment(amendment)
        amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    for key, outcome, cost in (("A", "closed", "30000.00"), ("G", "completed", "18000.00")):
        app = Application.objects.get(pk=made[key].pk)
        with at(max(app.decided_on, decided if key == "A" else app.decided_on)):
            services.application_start(actor=user, application=app)
            trajectory.final_report_submit(
                actor=user, application=app, **report_data(actual_cost_eur=cost)
            )
            if outcome == "closed":
                trajectory.final_report_accept(actor=reviewer, application=app)
                trajectory.payment_record(actor=reviewer, application=app)
    return made


def as_history_files(folder, made, provider_code):
    rows = []
    for key, number, cost, submitted, decided, outcome in FILES:
        app = Application.objects.get(pk=made[key].pk)
        rows.append(
            ",".join(
                [
                    f"H-{key}",
                    provider_code,
                    number,
                    f"Onderneming {key}",
                    "kmo",
                    "9000",
                    "MEDIUM",
                    "",
                    cost,
                    # Open files are left without a subsidy, as the contract allows: the import
                    # prices them as filing did.
                    "" if outcome == "submitted" else f"{app.subsidy_eur}",
                    submitted.isoformat(),
                    outcome,
                    decided.isoformat() if decided else "",
                    "NOT_SME" if outcome == "rejected" else "",
                ]
            )
        )
    write(folder, "applications.csv", APP_HEADER, rows)
    key, package, extra, requested, decided = AMENDMENT
    write(
        folder,
        "amendments.csv",
        AMEND_HEADER,
        [f"H-{key},extension,{package},{extra},3000.00,{requested},approved,{decided}"],
    )
    write(
        folder,
        "allocations.csv",
        "service_provider,allocated_on,amount_eur,note",
        [f"{provider_code},{ALLOCATION[0]},{ALLOCATION[1]},"],
    )


def report_of(provider) -> dict:
    """The report JSON, less what the history files cannot carry: when it was made, the
    final reports' contents and the enterprise's confirmation (the history format has neither)."""
    report = json.loads(render_json(build_report([2024, 2025], provider=provider)))
    report.pop("generated_at")
    for year in report["years"].values():
        year.pop("final_reports")
        year.pop("enterprise_confirmation", None)
    return report


def balances_of(provider):
    b = provider_balance(provider)
    return (b.allocated, b.committed, b.realised, b.available)


def times_of(provider):
    return [
        (
            str(a.submitted_on),
            a.status,
            a.subsidy_eur,
            a.rate_pct,
            a.decision_due_on,
            a.decided_on,
            # The history has no payment date: a paid file is dated at its decision.
            a.closed_on is not None,
            a.processing_working_days,
            a.paused_working_days,
            list(
                StatusChange.objects.filter(application=a)
                # The steps before submission (filing, the enterprise's confirmation) are not
                # in the history format: it starts at the submission.
                .exclude(from_status__in=["", "draft", "awaiting_confirmation"])
                .values_list("from_status", "to_status")
            ),
            sorted(
                (d.outcome, d.decided_on)
                for d in Decision.objects.filter(application=a, amendment__isnull=True)
            ),
        )
        for a in Application.objects.filter(provider=provider).order_by("submitted_on")
    ]


@pytest.mark.django_db
def test_services_and_import_agree(
    tmp_path, provider, other_provider, provider_user, reviewer, admin_user
):
    made = through_the_services(provider, provider_user, reviewer, admin_user)
    as_history_files(tmp_path, made, other_provider.code)
    history_import(tmp_path)

    assert times_of(other_provider) == times_of(provider)
    # The year-end file: 20 Dec 2024 -> 6 Jan 2025, as the calendar counts it.
    f = Application.objects.get(reference="H-F")
    assert (
        f.processing_working_days
        == Application.objects.get(pk=made["F"].pk).processing_working_days
    )
    assert balances_of(other_provider) == balances_of(provider)
    assert balances_of(provider)[1] > 0
    ours, theirs = report_of(provider), report_of(other_provider)
    assert list(differences(theirs, ours)) == []
    assert ours["years"]["2024"]["submitted"]["total"] == len(FILES)


def differences(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            yield from differences(a.get(k), b.get(k), f"{path}.{k}")
    elif a != b:
        yield (path, a, b)
