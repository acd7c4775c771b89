"""Amendments after approval: an upgrade of the main package (MEDIUM -> PLUS) or an added
extension package. Each carries its own extra cost and extra subsidy, priced at the policy in
force on the amendment's date for the file's enterprise kind, its own checks (de minimis headroom
including the extra subsidy; the file's total cost within the policy's range), its own decision
and its own budget commitment (domain.md, "Amendment")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from csgrants.accounts.models import Role
from csgrants.applications import confirmation as confirmations
from csgrants.applications import events
from csgrants.applications.access import ensure_can_see, role_of
from csgrants.applications.checks import aid_granted_by_us, other_files
from csgrants.applications.models import Amendment, Application, Decision
from csgrants.applications.services import reason_codes_resolve
from csgrants.applications.statuses import RUNNING_STATUSES
from csgrants.applications.workflow import STAFF_DECIDERS
from csgrants.budgets import services as budgets
from csgrants.catalogue.bounds import cost_range, extra_cost_refusal
from csgrants.catalogue.models import Package
from csgrants.catalogue.pricing import price
from csgrants.catalogue.selectors import package_resolve, upgrade_allowed, upgrade_targets
from csgrants.core import clock
from csgrants.core.audit import audit_record, snapshot
from csgrants.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from csgrants.core.money import ZERO, money_argument
from csgrants.core.transactions import service_atomic
from csgrants.eligibility import checks as rules

AUDIT_FIELDS = [
    "kind",
    "package",
    "extra_cost_eur",
    "extra_subsidy_eur",
    "policy",
    "requested_on",
    "status",
    "decided_on",
    "checks_passed",
]


def _today() -> date:
    return clock.today()


def approved_extra_cost(application: Application) -> Decimal:
    total = application.amendments.filter(status=Amendment.AmendmentStatus.APPROVED).aggregate(
        s=Sum("extra_cost_eur")
    )["s"]
    return total or ZERO


def approved_cost(application: Application) -> Decimal:
    """The approved cost of the trajectory: the quote plus every approved amendment."""
    return application.cost_eur + approved_extra_cost(application)


def committed_subsidy(application: Application) -> Decimal:
    """The subsidy granted for the file: the original plus every approved amendment's extra."""
    extra = (
        application.amendments.filter(status=Amendment.AmendmentStatus.APPROVED).aggregate(
            s=Sum("extra_subsidy_eur")
        )["s"]
        or ZERO
    )
    return (application.subsidy_eur or ZERO) + extra


def extension_taken(application: Application, package) -> bool:
    """Whether the file has the extension `package` already, or has asked for it (an extension
    is added once)."""
    return (
        application.extensions.filter(pk=package.pk).exists()
        or application.amendments.filter(
            kind=Amendment.Kind.EXTENSION,
            package=package,
            status__in=(Amendment.AmendmentStatus.SUBMITTED, Amendment.AmendmentStatus.APPROVED),
        ).exists()
    )


def amendment_options(application: Application) -> list[Package]:
    """What an amendment of the file may ask for: the higher main packages (upgrade_targets) and
    the active extension packages the file does not have or ask for yet."""
    taken = set(application.extensions.values_list("pk", flat=True)) | set(
        application.amendments.filter(
            kind=Amendment.Kind.EXTENSION,
            status__in=(Amendment.AmendmentStatus.SUBMITTED, Amendment.AmendmentStatus.APPROVED),
        ).values_list("package_id", flat=True)
    )
    extensions = [
        p for p in Package.objects.filter(active=True, is_extension=True) if p.pk not in taken
    ]
    return upgrade_targets(application.current_package) + extensions


def _own_grant(application: Application) -> list[dict]:
    """The file's own subsidy is prior aid for its amendment (checks.py leaves the file itself
    out because at submission it is the aid being judged)."""
    if application.decided_on is None or not application.subsidy_eur:
        return []
    return [
        {
            "granted_on": application.decided_on.isoformat(),
            "amount_eur": f"{application.subsidy_eur:.2f}",
            "description": f"CS-verbetertraject {application.reference}",
        }
    ]


def evaluate_amendment(application: Application, amendment: Amendment) -> list[rules.CheckOutcome]:
    policy = amendment.policy
    # amendment_request prices the amendment at the policy in force before it is judged
    assert policy is not None and amendment.extra_subsidy_eur is not None
    decl = application.declaration or {}
    main = (
        amendment.package
        if amendment.kind == Amendment.Kind.UPGRADE
        else application.current_package
    )
    admitted = [p.code for p in policy.admitted_packages.all()] or [main.code]
    total_cost = approved_cost(application) + amendment.extra_cost_eur
    bounds = cost_range(policy)
    return [
        rules.check_package_and_cost(main.code, admitted, total_cost, bounds.low, bounds.high),
        rules.check_de_minimis(
            amendment.requested_on,
            amendment.extra_subsidy_eur,
            decl.get("de_minimis_prior_aid") or [],
            _own_grant(application) + aid_granted_by_us(application, other_files(application)),
        ),
    ]


@service_atomic
def amendment_request(
    *, actor, application: Application, kind: str, package: str, extra_cost_eur
) -> Amendment:
    """The provider proposes an upgrade or an extension on an approved or running file."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure_can_see(actor, application)
    if role_of(actor) != Role.PROVIDER:
        raise PermissionDenied(_("Only the service provider proposes an amendment."))
    if application.status not in RUNNING_STATUSES:
        raise TransitionNotAllowed(
            _("Only an approved or running file can be amended."), code="TRANSITION_NOT_ALLOWED"
        )
    if kind not in Amendment.Kind.values:
        raise ValidationFailed(_("The kind must be upgrade or extension."), field="kind")
    target = package_resolve(package, extension=(kind == Amendment.Kind.EXTENSION))
    if kind == Amendment.Kind.UPGRADE and target.pk == application.current_package_id:
        raise ValidationFailed(
            _("The file already has %(package)s.") % {"package": target.code},
            field="package",
            code="SAME_PACKAGE",
        )
    if kind == Amendment.Kind.UPGRADE and not upgrade_allowed(application.current_package, target):
        raise ValidationFailed(
            _("An upgrade leads only to a higher package; %(package)s is not one for %(current)s.")
            % {"package": target.code, "current": application.current_package.code},
            field="package",
            code="NOT_AN_UPGRADE",
        )
    if kind == Amendment.Kind.EXTENSION and extension_taken(application, target):
        raise ValidationFailed(
            _("The file already has %(package)s.") % {"package": target.code},
            field="package",
            code="SAME_PACKAGE",
        )
    if application.amendments.filter(
        status=Amendment.AmendmentStatus.SUBMITTED, kind=kind
    ).exists():
        raise ValidationFailed(
            _("An amendment of this kind is already waiting for a decision."),
            field="kind",
            code="AMENDMENT_PENDING",
        )
    extra_cost = money_argument(extra_cost_eur, field="extra_cost_eur")
    if extra_cost <= 0:
        raise ValidationFailed(_("The extra cost must be positive."), field="extra_cost_eur")
    today = _today()
    priced = price(enterprise_kind=application.enterprise_kind, cost_eur=extra_cost, on=today)
    # No extra cost beyond what a whole trajectory may cost (catalogue.bounds): an absurd amount
    # never reaches a reviewer. Whether the file's new total fits is the amendment's own check.
    refusal = extra_cost_refusal(extra_cost, priced.policy)
    if refusal is not None:
        raise ValidationFailed(refusal, field="extra_cost_eur", code="COST_OUT_OF_RANGE")
    if priced.subsidy_eur is None:
        raise ValidationFailed(
            _("The policy in force admits no %(kind)s.") % {"kind": application.enterprise_kind},
            field="kind",
            code="KIND_NOT_ADMITTED",
        )
    amendment = Amendment(
        application=application,
        kind=kind,
        package=target,
        extra_cost_eur=extra_cost,
        extra_subsidy_eur=priced.subsidy_eur,
        policy=priced.policy,
        requested_on=today,
        requested_by=actor,
    )
    outcomes = evaluate_amendment(application, amendment)
    amendment.checks = [o.as_dict() for o in outcomes]
    amendment.checks_passed = all(o.outcome == rules.PASS for o in outcomes)
    amendment.save()
    audit_record(
        actor=actor,
        action="amendment.request",
        obj=application,
        after={"amendment": amendment.pk, **snapshot(amendment, AUDIT_FIELDS)},
    )
    if confirmations.filed_under_confirmation(application):
        # The change is part of what the enterprise declares: it confirms it before the
        # agency decides (contracts/enterprise-confirmation.md, rule 5).
        confirmations.confirmation_request_issue(
            actor=actor, application=application, reconfirmation=True, amendment=amendment
        )
    return amendment


def _ensure_still_an_amendment(application: Application, amendment: Amendment) -> None:
    """An approval adds what the file does not have: an upgrade still leads up from the file's
    package of today, an extension is not on the file yet (a request filed before these rules
    held may ask for neither)."""
    if amendment.kind == Amendment.Kind.UPGRADE and not upgrade_allowed(
        application.current_package, amendment.package
    ):
        raise ValidationFailed(
            _("An upgrade leads only to a higher package; %(package)s is not one for %(current)s.")
            % {"package": amendment.package.code, "current": application.current_package.code},
            field="package",
            code="NOT_AN_UPGRADE",
        )
    if (
        amendment.kind == Amendment.Kind.EXTENSION
        and application.extensions.filter(pk=amendment.package_id).exists()
    ):
        raise ValidationFailed(
            _("The file already has %(package)s.") % {"package": amendment.package.code},
            field="package",
            code="SAME_PACKAGE",
        )


@service_atomic
def amendment_decide(
    *, actor, amendment: Amendment, outcome: str, reasons=(), note: str = ""
) -> Decision:
    """Staff approve or reject an amendment. Approval commits the extra subsidy in this same
    transaction; when the provider's budget cannot cover it, BudgetExhausted rolls back every
    change (the amendment stays submitted)."""
    application = Application.objects.select_for_update().get(pk=amendment.application_id)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if role_of(actor) not in STAFF_DECIDERS:
        raise PermissionDenied(_("Only agency staff decide on an amendment."))
    if amendment.status != Amendment.AmendmentStatus.SUBMITTED:
        raise TransitionNotAllowed(
            _("This amendment was already decided."), code="TRANSITION_NOT_ALLOWED"
        )
    if application.status not in RUNNING_STATUSES:
        raise TransitionNotAllowed(
            _("The file is no longer approved or running."), code="TRANSITION_NOT_ALLOWED"
        )
    if outcome not in (Decision.Outcome.APPROVED, Decision.Outcome.REJECTED):
        raise ValidationFailed(_("The outcome must be approved or rejected."), field="outcome")
    reason_objs = reason_codes_resolve(reasons)
    if outcome == Decision.Outcome.REJECTED and not reason_objs:
        raise ValidationFailed(
            _("A rejection needs at least one reason."), field="reasons", code="REASON_REQUIRED"
        )
    today = _today()
    before = snapshot(amendment, AUDIT_FIELDS)
    if outcome == Decision.Outcome.APPROVED:
        _ensure_still_an_amendment(application, amendment)
        confirmations.require_amendment_confirmation(amendment)
        # Passing the application too: the payment realises and releases per application, and
        # the extra subsidy is part of what the file may be paid.
        budgets.budget_commit(
            actor=actor,
            provider=application.provider,
            amount_eur=amendment.extra_subsidy_eur or ZERO,
            on=today,
            application=application,
            amendment=amendment,
        )
        if amendment.kind == Amendment.Kind.UPGRADE:
            app_before = {"current_package": str(application.current_package)}
            application.current_package = amendment.package
            application.save(update_fields=["current_package", "updated_at"])
            audit_record(
                actor=actor,
                action="application.upgrade",
                obj=application,
                before=app_before,
                after={"current_package": str(amendment.package)},
            )
        else:
            application.extensions.add(amendment.package)
            audit_record(
                actor=actor,
                action="application.extension",
                obj=application,
                after={"extension": str(amendment.package)},
            )
    amendment.status = outcome
    amendment.decided_on = today
    amendment.note = note
    amendment.save()
    decision = Decision.objects.create(
        application=application,
        amendment=amendment,
        outcome=outcome,
        decided_on=today,
        decided_by=actor,
        note=note,
    )
    decision.reasons.set(reason_objs)
    audit_record(
        actor=actor,
        action=f"amendment.{outcome}",
        obj=application,
        before={"amendment": amendment.pk, **before},
        after={
            "amendment": amendment.pk,
            **snapshot(amendment, AUDIT_FIELDS),
            "reasons": [r.code for r in reason_objs],
        },
    )
    events.announce("amendment_decided", decision)
    return decision
