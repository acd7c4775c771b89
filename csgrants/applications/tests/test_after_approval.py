"""Amendments, final report and payment end to end through the services, with the ledger lines
each step writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from conftest import confirm_amendment
from csgrants.applications import amendments, trajectory
from csgrants.applications.models import (
    Amendment,
    Decision,
    FinalReport,
    MaturityScore,
    Payment,
    Status,
)
from csgrants.applications.tests.after_helpers import at, drain, maturity, report_data
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.selectors import application_open_commitment, provider_balance
from csgrants.core.errors import (
    BudgetExhausted,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from csgrants.core.models import AuditEvent

DAY = dt.date(2023, 3, 1)  # policy 2023: 50%, EUR 9,200 - 35,000


def ledger(application):
    return [
        (e.kind, e.amount_eur, e.amendment_id)
        for e in LedgerEntry.objects.filter(application=application)
    ]


@pytest.fixture
def running(make_application, funded):
    with at(DAY):
        return make_application("in_progress")


# --- amendments ------------------------------------------------------------------------------


def test_upgrade_is_priced_at_the_policy_of_its_own_date(
    make_application, funded, provider_user, reviewer
):
    with at(dt.date(2022, 12, 1)):  # 45% policy
        app = make_application("approved")
    assert app.subsidy_eur == Decimal("10800.00")
    with at(dt.date(2023, 2, 1)):  # 50% policy
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=app,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="6000.00",
        )
    assert amendment.extra_subsidy_eur == Decimal("3000.00")
    assert amendment.policy.valid_from == dt.date(2023, 1, 1)
    assert amendment.status == Amendment.AmendmentStatus.SUBMITTED
    assert amendment.checks_passed is True
    assert {c["code"]: c["outcome"] for c in amendment.checks} == {
        "PACKAGE_COST": "pass",
        "DE_MINIMIS": "pass",
    }
    # The file's own subsidy counts as prior de minimis aid of the amendment.
    de_minimis = next(c for c in amendment.checks if c["code"] == "DE_MINIMIS")
    assert de_minimis["inputs"]["answer"]["cumulated_eur"] == "10800.00"
    assert AuditEvent.objects.filter(action="amendment.request", object_id=app.reference).exists()


def test_approved_upgrade_commits_extra_subsidy_and_changes_current_package(
    running, provider_user, reviewer
):
    with at(DAY):
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="6000.00",
        )
        confirm_amendment(amendment)
        decision = amendments.amendment_decide(
            actor=reviewer, amendment=amendment, outcome="approved", note="ok"
        )
    running.refresh_from_db()
    amendment.refresh_from_db()
    assert running.current_package.code == "PLUS"
    assert running.package.code == "MEDIUM"  # as filed, for the statistics
    assert amendment.status == "approved" and amendment.decided_on == DAY
    assert (
        decision.amendment == amendment
        and decision.application == running
        and decision.decided_by == reviewer
    )
    assert ledger(running) == [
        ("commit", Decimal("12000.00"), None),
        ("commit", Decimal("3000.00"), amendment.pk),
    ]
    assert application_open_commitment(running) == Decimal("15000.00")
    assert amendments.approved_cost(running) == Decimal("30000.00")
    assert AuditEvent.objects.filter(
        action="amendment.approved", object_id=running.reference
    ).exists()


def test_approved_extension_adds_the_package(running, provider_user, reviewer):
    with at(DAY):
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="extension",
            package="uitbreiding",
            extra_cost_eur="4000",
        )
        confirm_amendment(amendment)
        amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    assert list(running.extensions.values_list("code", flat=True)) == ["EXTENSION"]
    assert running.current_package.code == "MEDIUM"
    assert ledger(running)[-1] == ("commit", Decimal("2000.00"), amendment.pk)
    with at(DAY), pytest.raises(ValidationFailed) as exc:
        amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="extension",
            package="EXTENSION",
            extra_cost_eur="1000",
        )
    assert exc.value.code == "SAME_PACKAGE"


def test_rejected_amendment_commits_nothing_and_needs_a_reason(running, provider_user, reviewer):
    with at(DAY):
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="6000",
        )
        with pytest.raises(ValidationFailed) as exc:
            amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="rejected")
        assert exc.value.code == "REASON_REQUIRED"
        decision = amendments.amendment_decide(
            actor=reviewer, amendment=amendment, outcome="rejected", reasons=["COST_OUT_OF_RANGE"]
        )
    running.refresh_from_db()
    assert running.current_package.code == "MEDIUM"
    assert list(decision.reasons.values_list("code", flat=True)) == ["COST_OUT_OF_RANGE"]
    assert [k for k, _, _ in ledger(running)] == ["commit"]
    with at(DAY), pytest.raises(TransitionNotAllowed):
        amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")


def test_budget_exhausted_amendment_changes_nothing(
    make_application, provider, admin_user, provider_user, reviewer
):
    with at(DAY):
        app = make_application("approved")  # commits 12,000
        drain(provider, admin_user, leave="1000.00", holder=make_application("draft"))
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=app,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="6000",
        )
        with pytest.raises(BudgetExhausted):
            confirm_amendment(amendment)
            amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    app.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.status == "submitted" and amendment.decided_on is None
    assert app.current_package.code == "MEDIUM"
    assert not Decision.objects.filter(amendment=amendment).exists()
    assert ledger(app) == [("commit", Decimal("12000.00"), None)]
    assert provider_balance(provider).available == Decimal("1000.00")


def test_amendment_checks_flag_total_cost_above_the_range_and_de_minimis(running, provider_user):
    running.declaration = {
        **running.declaration,
        "de_minimis_prior_aid": [
            {
                "granted_on": "2022-06-01",
                "amount_eur": "185000.00",
                "description": "kmo-portefeuille",
            }
        ],
    }
    running.save()
    with at(DAY):
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="12000",
        )
    outcomes = {c["code"]: c for c in amendment.checks}
    assert amendment.checks_passed is False
    # 24,000 + 12,000 = 36,000 > 35,000
    assert outcomes["PACKAGE_COST"]["outcome"] == "fail"
    assert outcomes["PACKAGE_COST"]["inputs"]["cost"] == "36000.00"
    # 185,000 declared + 12,000 own grant + 6,000 extra > 200,000
    assert outcomes["DE_MINIMIS"]["outcome"] == "fail"
    assert outcomes["DE_MINIMIS"]["reason_code"] == "DE_MINIMIS_CEILING"


def test_amendment_request_guards(
    make_application, funded, provider_user, other_provider_user, reviewer
):
    with at(DAY):
        submitted = make_application("submitted")
        app = make_application("approved")
        with pytest.raises(TransitionNotAllowed):
            amendments.amendment_request(
                actor=provider_user,
                application=submitted,
                kind="upgrade",
                package="PLUS",
                extra_cost_eur="1000",
            )
        with pytest.raises(PermissionDenied):
            amendments.amendment_request(
                actor=reviewer,
                application=app,
                kind="upgrade",
                package="PLUS",
                extra_cost_eur="1000",
            )
        with pytest.raises(NotFound):
            amendments.amendment_request(
                actor=other_provider_user,
                application=app,
                kind="upgrade",
                package="PLUS",
                extra_cost_eur="1000",
            )
        with pytest.raises(ValidationFailed) as same:
            amendments.amendment_request(
                actor=provider_user,
                application=app,
                kind="upgrade",
                package="light",
                extra_cost_eur="1000",
            )
        assert same.value.code == "SAME_PACKAGE"  # light is MEDIUM's former name
        with pytest.raises(ValidationFailed) as not_main:
            amendments.amendment_request(
                actor=provider_user,
                application=app,
                kind="upgrade",
                package="EXTENSION",
                extra_cost_eur="1000",
            )
        assert not_main.value.code == "UNKNOWN_PACKAGE"
        with pytest.raises(ValidationFailed) as not_ext:
            amendments.amendment_request(
                actor=provider_user,
                application=app,
                kind="extension",
                package="PLUS",
                extra_cost_eur="1000",
            )
        assert not_ext.value.code == "UNKNOWN_PACKAGE"
        with pytest.raises(ValidationFailed):
            amendments.amendment_request(
                actor=provider_user,
                application=app,
                kind="upgrade",
                package="PLUS",
                extra_cost_eur="0",
            )
        first = amendments.amendment_request(
            actor=provider_user,
            application=app,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="1000",
        )
        with pytest.raises(ValidationFailed) as pending:
            amendments.amendment_request(
                actor=provider_user,
                application=app,
                kind="upgrade",
                package="basis",  # PLUS's former name
                extra_cost_eur="1000",
            )
        assert pending.value.code == "AMENDMENT_PENDING"
        confirm_amendment(first)
        with pytest.raises(PermissionDenied):
            amendments.amendment_decide(actor=provider_user, amendment=first, outcome="approved")
    assert Amendment.objects.filter(application=app).count() == 1


# --- final report ----------------------------------------------------------------------------


def test_final_report_submit_completes_the_file_and_stores_typed_maturity(running, provider_user):
    with at(dt.date(2023, 9, 1)):
        report = trajectory.final_report_submit(
            actor=provider_user,
            application=running,
            **report_data(
                maturity=maturity(
                    identify={
                        "documentation_before": 1,
                        "implementation_before": 2,
                        "documentation_after": 4,
                        "implementation_after": 5,
                    }
                )
            ),
        )
    running.refresh_from_db()
    assert running.status == Status.COMPLETED
    assert report.status == FinalReport.ReportStatus.SUBMITTED and report.submitted_on == dt.date(
        2023, 9, 1
    )
    identify = MaturityScore.objects.get(report=report, function="identify")
    assert (
        identify.documentation_before,
        identify.implementation_before,
        identify.documentation_after,
        identify.implementation_after,
    ) == (1, 2, 4, 5)
    assert report.maturity.count() == 5
    assert running.history.last().to_status == Status.COMPLETED


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"satisfaction_score": 6}, "satisfaction_score"),
        ({"satisfaction_score": True}, "satisfaction_score"),
        (
            {
                "maturity": maturity(
                    protect={
                        "documentation_before": 0,
                        "implementation_before": 1,
                        "documentation_after": 1,
                        "implementation_after": 1,
                    }
                )
            },
            "maturity.protect.documentation_before",
        ),
        ({"maturity": {k: v for k, v in maturity().items() if k != "recover"}}, "maturity.recover"),
        ({"actual_cost_eur": "-1"}, "actual_cost_eur"),
        ({"work_delivered": "  "}, "work_delivered"),
        ({"testimonial_consent": True, "testimonial": ""}, "testimonial"),
    ],
)
def test_final_report_rejects_invalid_input(running, provider_user, override, field):
    with at(DAY), pytest.raises(ValidationFailed) as exc:
        trajectory.final_report_submit(
            actor=provider_user, application=running, **report_data(**override)
        )
    assert field in [f for f, _ in exc.value.errors]
    running.refresh_from_db()
    assert running.status == Status.IN_PROGRESS and not FinalReport.objects.exists()


def test_maturity_scores_are_constrained_in_the_database(running, provider_user):
    with at(DAY):
        report = trajectory.final_report_submit(
            actor=provider_user, application=running, **report_data()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        MaturityScore.objects.filter(report=report, function="detect").update(
            implementation_after=6
        )


def test_send_back_returns_the_file_and_a_new_report_replaces_it(running, provider_user, reviewer):
    with at(dt.date(2023, 9, 1)):
        first = trajectory.final_report_submit(
            actor=provider_user, application=running, **report_data()
        )
        with pytest.raises(ValidationFailed):
            trajectory.final_report_send_back(actor=reviewer, application=running, note="")
        with pytest.raises(PermissionDenied):
            trajectory.final_report_send_back(actor=provider_user, application=running, note="x")
        trajectory.final_report_send_back(
            actor=reviewer, application=running, note="Kostprijs staaft niet."
        )
    running.refresh_from_db()
    first.refresh_from_db()
    assert running.status == Status.IN_PROGRESS
    assert running.history.last().note == "Kostprijs staaft niet."
    assert (
        first.status == FinalReport.ReportStatus.SENT_BACK
        and first.staff_note == "Kostprijs staaft niet."
    )
    with at(dt.date(2023, 9, 8)):
        second = trajectory.final_report_submit(
            actor=provider_user, application=running, **report_data(actual_cost_eur="22000")
        )
        trajectory.final_report_accept(actor=reviewer, application=running)
    second.refresh_from_db()
    assert second.status == FinalReport.ReportStatus.ACCEPTED and second.reviewed_by == reviewer
    assert running.final_reports.count() == 2


# --- payment ---------------------------------------------------------------------------------


def _to_accepted(app, provider_user, reviewer, **report):
    with at(dt.date(2023, 9, 1)):
        trajectory.final_report_submit(
            actor=provider_user, application=app, **report_data(**report)
        )
        trajectory.final_report_accept(actor=reviewer, application=app)


def test_payment_realises_the_share_of_the_actual_cost_and_releases_the_rest(
    running, provider_user, reviewer, budget_manager
):
    _to_accepted(running, provider_user, reviewer, actual_cost_eur="20000.05")
    with at(dt.date(2023, 9, 15)):
        payment = trajectory.payment_record(actor=budget_manager, application=running)
    running.refresh_from_db()
    # 50% x 20,000.05 = 10,000.025 -> half-up 10,000.03 (banker's rounding would give .02)
    assert payment.amount_eur == Decimal("10000.03")
    assert payment.released_eur == Decimal("1999.97")
    assert (payment.actual_cost_eur, payment.approved_cost_eur) == (
        Decimal("20000.05"),
        Decimal("24000.00"),
    )
    assert running.status == Status.CLOSED and running.closed_on == dt.date(2023, 9, 15)
    assert ledger(running) == [
        ("commit", Decimal("12000.00"), None),
        ("realise", Decimal("10000.03"), None),
        ("release", Decimal("1999.97"), None),
    ]
    assert application_open_commitment(running) == Decimal("0.00")
    assert provider_balance(running.provider).realised == Decimal("10000.03")
    assert AuditEvent.objects.filter(action="payment.record", object_id=running.reference).exists()


def test_payment_uses_the_approved_cost_when_the_actual_cost_is_higher(
    running, provider_user, reviewer
):
    with at(DAY):
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="extension",
            package="EXTENSION",
            extra_cost_eur="4000",
        )
        confirm_amendment(amendment)
        amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    _to_accepted(running, provider_user, reviewer, actual_cost_eur="31000")
    with at(dt.date(2023, 9, 15)):
        payment = trajectory.payment_record(actor=reviewer, application=running)
    # min(31,000, 24,000 + 4,000) x 50% = 14,000 = all of the commitment
    assert payment.amount_eur == Decimal("14000.00") and payment.released_eur == Decimal("0.00")
    assert payment.approved_cost_eur == Decimal("28000.00")
    assert [k for k, _, _ in ledger(running)] == ["commit", "commit", "realise"]


def test_payment_applies_the_files_own_rate(make_application, funded, provider_user, reviewer):
    with at(dt.date(2022, 12, 1)):  # 45%: 24,000 -> 10,800
        app = make_application("in_progress")
    with at(dt.date(2023, 2, 1)):  # extension at 50%: 4,000 -> 2,000
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=app,
            kind="extension",
            package="EXTENSION",
            extra_cost_eur="4000",
        )
        confirm_amendment(amendment)
        amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    _to_accepted(app, provider_user, reviewer, actual_cost_eur="28000")
    with at(dt.date(2023, 9, 15)):
        payment = trajectory.payment_record(actor=reviewer, application=app)
    # The file's rate (45%) x 28,000 = 12,600 < committed 12,800: rate x cost, the rest released.
    assert payment.amount_eur == Decimal("12600.00") and payment.committed_eur == Decimal(
        "12800.00"
    )
    assert payment.released_eur == Decimal("200.00")


def test_payment_is_capped_at_the_committed_subsidy(running, provider_user, reviewer):
    from csgrants.catalogue.models import EnterpriseKind, PolicyRate, PolicyVersion

    lower = PolicyVersion.objects.create(
        name="test 40%",
        valid_from=dt.date(2023, 6, 1),
        min_cost_eur=Decimal("9200"),
        max_cost_eur=Decimal("35000"),
    )
    PolicyRate.objects.create(
        policy=lower, enterprise_kind=EnterpriseKind.objects.get(code="kmo"), rate_pct=Decimal("40")
    )
    with at(dt.date(2023, 7, 3)):  # extension at 40%: 4,000 -> 1,600
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="extension",
            package="EXTENSION",
            extra_cost_eur="4000",
        )
        confirm_amendment(amendment)
        amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    _to_accepted(running, provider_user, reviewer, actual_cost_eur="28000")
    with at(dt.date(2023, 9, 15)):
        payment = trajectory.payment_record(actor=reviewer, application=running)
    # 50% x 28,000 = 14,000 but only 12,000 + 1,600 was committed.
    assert payment.amount_eur == Decimal("13600.00") and payment.released_eur == Decimal("0.00")
    assert application_open_commitment(running) == Decimal("0.00")


def test_payment_needs_an_accepted_report_and_staff(running, provider_user, reviewer, analyst):
    with at(DAY):
        with pytest.raises(TransitionNotAllowed):
            trajectory.payment_record(actor=reviewer, application=running)
        trajectory.final_report_submit(actor=provider_user, application=running, **report_data())
        with pytest.raises(TransitionNotAllowed) as exc:
            trajectory.payment_record(actor=reviewer, application=running)
        assert exc.value.code == "FINAL_REPORT_NOT_ACCEPTED"
        trajectory.final_report_accept(actor=reviewer, application=running)
        for actor in (provider_user, analyst):
            with pytest.raises(PermissionDenied):
                trajectory.payment_record(actor=actor, application=running)
        trajectory.payment_record(actor=reviewer, application=running)
        with pytest.raises(TransitionNotAllowed):
            trajectory.payment_record(actor=reviewer, application=running)
    assert Payment.objects.filter(application=running).count() == 1


def test_closed_file_cannot_be_amended(running, provider_user, reviewer):
    _to_accepted(running, provider_user, reviewer)
    with at(dt.date(2023, 9, 15)):
        trajectory.payment_record(actor=reviewer, application=running)
        with pytest.raises(TransitionNotAllowed):
            amendments.amendment_request(
                actor=provider_user,
                application=running,
                kind="upgrade",
                package="PLUS",
                extra_cost_eur="1000",
            )
