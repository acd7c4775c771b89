"""The automated checks at submission: gather the inputs from the database, call the pure rules
of `csgrants.eligibility.checks`, and store the outcomes as a new CheckRun (earlier runs stay)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from csgrants.applications.models import Amendment, Application, CheckResult, CheckRun, Status
from csgrants.budgets.selectors import provider_balance
from csgrants.core.audit import audit_record
from csgrants.eligibility import checks as rules
from csgrants.enterprises.selectors import enterprise_regions

GRANTED = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED, Status.STOPPED)


def _aid_granted_by_us(application: Application) -> list[dict]:
    """Every subsidy csgrants granted to the same enterprise (de minimis counts aid from the
    date the right to it was granted)."""
    aid = []
    others = Application.objects.filter(
        enterprise=application.enterprise, status__in=GRANTED
    ).exclude(pk=application.pk)
    for other in others.exclude(decided_on__isnull=True):
        aid.append(
            {
                "granted_on": other.decided_on.isoformat(),
                "amount_eur": f"{other.subsidy_eur or 0:.2f}",
                "description": f"CS-verbetertraject {other.reference}",
            }
        )
    amendments = Amendment.objects.filter(
        application__enterprise=application.enterprise, status=Amendment.AmendmentStatus.APPROVED
    ).exclude(decided_on__isnull=True)
    for a in amendments:
        aid.append(
            {
                "granted_on": a.decided_on.isoformat(),
                "amount_eur": f"{a.extra_subsidy_eur or 0:.2f}",
                "description": f"{a.get_kind_display()} {a.application.reference}",
            }
        )
    return aid


def _previous_approvals(application: Application, before: date) -> list[tuple[str, date]]:
    return list(
        Application.objects.filter(
            enterprise=application.enterprise, status__in=GRANTED, decided_on__lte=before
        )
        .exclude(pk=application.pk)
        .values_list("reference", "decided_on")
    )


def evaluate(application: Application) -> list[rules.CheckOutcome]:
    policy = application.policy
    decl = application.declaration or {}
    on = application.submitted_on
    seat_region, establishment_regions = enterprise_regions(application.enterprise)
    admitted_packages = [p.code for p in policy.admitted_packages.all()] or [
        application.package.code
    ]
    sme = decl.get("sme")
    if isinstance(sme, dict) and isinstance(sme.get("enterprise"), dict):
        sme = {
            "relations": [],
            **sme,
            "enterprise": {
                "name": application.enterprise.name,
                **sme["enterprise"],
                "kind": application.enterprise_kind,
            },
        }
    return [
        rules.check_enterprise_number(True, application.enterprise.number),
        rules.check_kind_admitted(application.enterprise_kind, policy.admitted_kind_codes()),
        rules.check_sme(sme, application.enterprise_kind),
        rules.check_public_participation(decl.get("public_participation_pct", 0)),
        rules.check_negative_equity(bool(decl.get("negative_equity", False))),
        rules.check_flemish_region(seat_region, establishment_regions),
        rules.check_recent_trajectory(
            _previous_approvals(application, on), on, policy.recent_trajectory_years
        ),
        rules.check_package_and_cost(
            application.package.code,
            admitted_packages,
            application.cost_eur,
            policy.min_cost_eur,
            policy.max_cost_eur,
        ),
        rules.check_de_minimis(
            on,
            application.subsidy_eur,
            decl.get("de_minimis_prior_aid") or [],
            _aid_granted_by_us(application),
        ),
        rules.check_budget_available(
            provider_balance(application.provider).available, application.subsidy_eur
        ),
    ]


@transaction.atomic
def run_checks(*, application: Application, actor) -> CheckRun:
    outcomes = evaluate(application)
    run = CheckRun.objects.create(
        application=application,
        policy=application.policy,
        actor=actor,
        all_passed=all(o.outcome == "pass" for o in outcomes),
    )
    CheckResult.objects.bulk_create(
        CheckResult(
            run=run,
            code=o.code,
            outcome=o.outcome,
            message_nl=o.message_nl,
            message_en=o.message_en,
            inputs=o.inputs,
        )
        for o in outcomes
    )
    audit_record(
        actor=actor,
        action="application.checks",
        obj=application,
        after={o.code: o.outcome for o in outcomes},
    )
    return run
