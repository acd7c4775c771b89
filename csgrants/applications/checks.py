"""The automated checks at submission: gather the inputs from the database, call the pure rules
of `csgrants.eligibility.checks`, and store the outcomes as a new CheckRun (earlier runs stay)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from csgrants.applications.models import Amendment, Application, CheckResult, CheckRun
from csgrants.applications.statuses import GRANTED_STATUSES, PENDING_STATUSES
from csgrants.budgets.selectors import provider_balance
from csgrants.catalogue.bounds import cost_range
from csgrants.core.audit import actor_user, audit_record
from csgrants.core.errors import Conflict
from csgrants.core.internals import set_prefetched
from csgrants.core.money import ZERO
from csgrants.core.transactions import service_atomic
from csgrants.eligibility import checks as rules
from csgrants.enterprises.models import Enterprise
from csgrants.enterprises.selectors import enterprise_regions


def other_files(application: Application) -> list[Mapping[str, Any]]:
    """The enterprise's other applications, in one query: both the de minimis and the
    recent-trajectory rules need them, and most enterprises have none."""
    return list(
        Application.objects.filter(enterprise_id=application.enterprise_id)
        .exclude(pk=application.pk)
        .values("reference", "status", "decided_on", "subsidy_eur")
    )


def aid_granted_by_us(application: Application, others: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Every subsidy csgrants granted to the same enterprise (de minimis counts aid from the
    date the right to it was granted)."""
    aid = [
        {
            "granted_on": other["decided_on"].isoformat(),
            "amount_eur": f"{other['subsidy_eur'] or 0:.2f}",
            "description": f"CS-verbetertraject {other['reference']}",
        }
        for other in others
        if other["status"] in GRANTED_STATUSES and other["decided_on"] is not None
    ]
    if not others:
        return aid  # an amendment belongs to one of the enterprise's other files: there are none
    amendments = (
        Amendment.objects.filter(
            application__enterprise=application.enterprise,
            status=Amendment.AmendmentStatus.APPROVED,
        )
        .exclude(decided_on__isnull=True)
        .select_related("application")
    )
    for a in amendments:
        assert a.decided_on is not None  # excluded above
        aid.append(
            {
                "granted_on": a.decided_on.isoformat(),
                "amount_eur": f"{a.extra_subsidy_eur or 0:.2f}",
                "description": f"{a.get_kind_display()} {a.application.reference}",
            }
        )
    return aid


def _previous_approvals(others: Sequence[Mapping[str, Any]]) -> list[tuple[str, date]]:
    """Every trajectory granted to the enterprise, whichever provider filed it and whenever it
    was decided: one approved after this file's submission (a parallel file decided meanwhile)
    blocks as well (issue 20); the rule itself keeps only those after its cut-off."""
    return [
        (o["reference"], o["decided_on"])
        for o in others
        if o["status"] in GRANTED_STATUSES and o["decided_on"] is not None
    ]


def _pending_elsewhere(others: Sequence[Mapping[str, Any]]) -> int:
    """How many other files of the enterprise wait for its confirmation or for a decision, by
    any provider: only one of them can become a trajectory."""
    return sum(1 for o in others if o["status"] in PENDING_STATUSES)


def evaluate(application: Application) -> list[rules.CheckOutcome]:
    policy, on = application.policy, application.submitted_on
    if policy is None or on is None:
        raise ValueError("the checks judge a file priced on its submission date")
    # No subsidy: the policy admits no such enterprise (its own check fails); nothing granted.
    subsidy = application.subsidy_eur if application.subsidy_eur is not None else ZERO
    decl = application.declaration or {}
    others = other_files(application)
    seat_region, establishment_regions = enterprise_regions(
        application.enterprise, declared_postal_code=application.postal_code
    )
    cost = cost_range(policy)
    admitted_packages = [p.code for p in policy.admitted_packages.all()] or [
        application.package.code
    ]
    sme = decl.get("sme")
    if isinstance(sme, dict) and isinstance(sme.get("enterprise"), dict):
        sme = {
            "relations": [],
            **sme,
            "enterprise": {
                "name": application.enterprise_name,
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
            _previous_approvals(others),
            on,
            policy.recent_trajectory_years,
            pending_elsewhere=_pending_elsewhere(others),
        ),
        rules.check_package_and_cost(
            application.package.code,
            admitted_packages,
            application.cost_eur,
            cost.low,
            cost.high,
        ),
        rules.check_de_minimis(
            on,
            subsidy,
            decl.get("de_minimis_prior_aid") or [],
            aid_granted_by_us(application, others),
        ),
        rules.check_budget_available(provider_balance(application.provider).available, subsidy),
    ]


@service_atomic
def run_checks(*, application: Application, actor) -> CheckRun:
    outcomes = evaluate(application)
    run = CheckRun.objects.create(
        application=application,
        policy=application.policy,
        actor=actor_user(actor),
        all_passed=all(o.outcome == "pass" for o in outcomes),
    )
    results = CheckResult.objects.bulk_create(
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
    set_prefetched(run, "results", results)  # in creation (id) order, as a read would give them
    audit_record(
        actor=actor,
        action="application.checks",
        obj=application,
        after={o.code: o.outcome for o in outcomes},
    )
    return run


# --- the checks at decision time (issue 20) -----------------------------------------------------

# The approval enforces this one itself: it commits the subsidy and answers BUDGET_EXHAUSTED,
# changing nothing, when the provider's budget no longer covers it (contracts/api.md).
DECIDED_BY_THE_APPROVAL = frozenset({"BUDGET"})


class ChecksChanged(Conflict):
    """The checks run at decision time fail where the file's previous run did not: the facts
    changed since the reviewer last saw them (another provider's file for the enterprise was
    approved, say). The fresh run is stored; nothing else changed."""

    code = "CHECKS_CHANGED"

    def __init__(self, message, *, run: CheckRun, newly_failed: list[CheckResult]):
        super().__init__(message)
        self.run = run
        self.newly_failed = newly_failed


def enterprise_files_lock(enterprise_id: int) -> None:
    """Lock the row of an enterprise: the filings and approvals of one enterprise take turns,
    so that each one reads what the others committed (one trajectory per enterprise, one
    undecided file per provider and enterprise). An approval takes it after the file's own row
    (`services._lock`), always in that order; a filing before it inserts its new file."""
    list(
        Enterprise.objects.select_for_update().filter(pk=enterprise_id).values_list("pk", flat=True)
    )


def latest_run(application: Application) -> CheckRun | None:
    return application.check_runs.order_by("-run_at", "-id").prefetch_related("results").first()


def newly_failed(previous: CheckRun | None, fresh: CheckRun) -> list[CheckResult]:
    """The checks that fail in `fresh` and did not in `previous` (they passed, warned, or did not
    run), in the order of the run; those the approval enforces itself are left out."""
    failed_before = (
        {r.code for r in previous.results.all() if r.outcome == CheckResult.Outcome.FAIL}
        if previous is not None
        else set()
    )
    return [
        r
        for r in fresh.results.all()
        if r.outcome == CheckResult.Outcome.FAIL
        and r.code not in failed_before
        and r.code not in DECIDED_BY_THE_APPROVAL
    ]
