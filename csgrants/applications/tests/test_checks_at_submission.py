from datetime import date
from decimal import Decimal

import pytest
import time_machine

from conftest import confirm
from csgrants.applications import services
from csgrants.applications.models import Application, Status
from csgrants.catalogue.models import PolicyVersion
from csgrants.core.errors import PermissionDenied

SME_DECLARATION = {
    "sme": {
        "enterprise": {
            "periods": [
                {
                    "year_end": "2024-12-31",
                    "staff_awu": 40,
                    "turnover_eur": "6000000",
                    "balance_sheet_eur": "4000000",
                },
                {
                    "year_end": "2023-12-31",
                    "staff_awu": 38,
                    "turnover_eur": "5500000",
                    "balance_sheet_eur": "3900000",
                },
            ]
        },
        "relations": [],
    },
    "de_minimis_prior_aid": [
        {"granted_on": "2024-02-01", "amount_eur": "5000.00", "description": "kmo-portefeuille"}
    ],
    "negative_equity": False,
    "public_participation_pct": 0,
}


def latest(app):
    run = app.check_runs.last()
    return {r.code: r.outcome for r in run.results.all()}, run


@pytest.mark.django_db
def test_every_check_runs_and_is_stored_with_policy(make_application, funded):
    with time_machine.travel(date(2025, 6, 2)):
        app = make_application("submitted", declaration=SME_DECLARATION)
    outcomes, run = latest(app)
    assert set(outcomes) == {
        "ENTERPRISE_NUMBER",
        "KIND_ADMITTED",
        "SME",
        "PUBLIC_PARTICIPATION",
        "NEGATIVE_EQUITY",
        "FLEMISH_REGION",
        "RECENT_TRAJECTORY",
        "PACKAGE_COST",
        "DE_MINIMIS",
        "BUDGET",
    }
    assert all(v == "pass" for v in outcomes.values()), outcomes
    assert run.all_passed and run.policy == app.policy
    sme = run.results.get(code="SME")
    assert sme.message_nl and sme.message_en and sme.inputs


@pytest.mark.django_db
def test_failing_checks_are_explained(make_application, provider_user):
    decl = {**SME_DECLARATION, "negative_equity": True, "public_participation_pct": 30}
    # Filing refuses a cost outside the policy's range (catalogue.bounds); a draft of 2022
    # (2021 policy: up to EUR 50,000) submitted under the 2023 policy (EUR 35,000) fails the check.
    with time_machine.travel(date(2022, 12, 20)):
        app = make_application("draft", declaration=decl, postal_code="1000", cost_eur="45000.00")
    with time_machine.travel(date(2025, 6, 2)):
        app = confirm(services.application_submit(actor=provider_user, application=app))
    outcomes, run = latest(app)
    assert outcomes["NEGATIVE_EQUITY"] == "fail"
    assert outcomes["PUBLIC_PARTICIPATION"] == "fail"
    assert outcomes["FLEMISH_REGION"] == "fail"
    assert outcomes["PACKAGE_COST"] == "fail"
    assert outcomes["BUDGET"] == "fail"  # the provider has no budget in this test
    assert not run.all_passed
    assert "35.000" in run.results.get(code="PACKAGE_COST").message_nl


@pytest.mark.django_db
def test_without_sme_figures_the_check_warns(make_application):
    app = make_application("submitted")
    outcomes, _ = latest(app)
    assert outcomes["SME"] == "warn"


@pytest.mark.django_db
def test_recent_trajectory_and_aid_granted_by_us_are_counted(make_application, reviewer, funded):
    with time_machine.travel(date(2024, 3, 4)):
        first = make_application("approved", number="0403.170.701", declaration=SME_DECLARATION)
    with time_machine.travel(date(2026, 3, 2)):
        second = make_application("submitted", number="0403.170.701", declaration=SME_DECLARATION)
    outcomes, run = latest(second)
    assert outcomes["RECENT_TRAJECTORY"] == "fail"
    assert first.reference in run.results.get(code="RECENT_TRAJECTORY").message_en
    de_minimis = run.results.get(code="DE_MINIMIS")
    assert first.reference in str(de_minimis.inputs)


@pytest.mark.django_db
def test_straight_through_approves_when_every_check_passes(make_application, funded):
    PolicyVersion.objects.update(straight_through=True)
    with time_machine.travel(date(2025, 6, 2)):
        app = make_application("submitted", declaration=SME_DECLARATION)
        other = make_application("submitted")  # SME check only warns: goes to a reviewer
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    decision = app.decisions.get()
    assert decision.by_system and decision.decided_by is None
    assert app.history.last().actor_label == "system"
    assert other.status == Status.SUBMITTED
    assert app.ledger.filter(kind="commit").get().amount_eur == app.subsidy_eur


@pytest.mark.django_db
def test_recheck_keeps_earlier_runs(make_application, reviewer, provider_user):
    app = make_application("submitted")
    services.application_recheck(actor=reviewer, application=app)
    assert app.check_runs.count() == 2
    with pytest.raises(PermissionDenied):
        services.application_recheck(actor=provider_user, application=app)


@pytest.mark.django_db
def test_stop_after_approval_releases_budget(make_application, reviewer, funded):
    app = make_application("approved")
    from csgrants.budgets.selectors import provider_balance

    before = provider_balance(app.provider).available
    services.application_stop(actor=reviewer, application=app, reasons=["NOT_SME"])
    after = provider_balance(app.provider).available
    assert after - before == app.subsidy_eur
    assert Application.objects.get(pk=app.pk).status == Status.STOPPED
    assert list(app.decisions.last().reasons.values_list("code", flat=True)) == ["NOT_SME"]
    assert isinstance(after, Decimal)
