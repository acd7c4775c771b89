"""The end of a trajectory: the provider's final report (eindverslag), the agency's review of it
(accept or send back) and the payment that closes the file.

    in_progress --final_report_submit--> completed --final_report_accept--> (completed, accepted)
         ^                                   |                                     |
         +------- final_report_send_back ----+                          payment_record -> closed

Payment (domain.md, "VLAIO pays its share of the approved quote"): the agency's share is the
file's rate times the lower of the actual and the approved cost (quote plus approved amendments),
rounded half-up to the cent and never more than the subsidy committed; the ledger realises that
amount and releases the rest of the commitment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from csgrants.accounts.models import Role
from csgrants.applications import events
from csgrants.applications.access import ensure_can_see, role_of
from csgrants.applications.amendments import approved_cost, committed_subsidy
from csgrants.applications.models import (
    MATURITY_FIELDS,
    Application,
    CyFunFunction,
    FinalReport,
    MaturityScore,
    Payment,
    Status,
    StatusChange,
)
from csgrants.applications.services import (
    application_transition,
)
from csgrants.applications.statuses import GRANTED_STATUSES, RELEASED_STATUSES
from csgrants.applications.workflow import STAFF_DECIDERS
from csgrants.budgets import services as budgets
from csgrants.budgets.selectors import application_balance, application_open_commitment
from csgrants.catalogue.pricing import subsidy_at
from csgrants.core import clock
from csgrants.core.audit import audit_record
from csgrants.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from csgrants.core.money import ZERO, money_argument
from csgrants.core.transactions import service_atomic

PAYERS = frozenset({Role.REVIEWER, Role.BUDGET_MANAGER, Role.ADMIN})


def _today() -> date:
    return clock.today()


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


@dataclass(frozen=True)
class Trajectory:
    """The trajectory of a file as every screen shows it (the one place that says it)."""

    approved_cost_eur: Decimal  # the quote plus every approved amendment
    granted_eur: Decimal  # the subsidy granted: the original plus approved amendments' extras
    # Still committed against the provider's budget; nothing once the file was stopped or paid.
    committed_eur: Decimal
    released_eur: Decimal  # given back to the budget (a stop, or the rest after the payment)
    released: bool  # the trajectory ended before a payment: its money was released
    final_report_due_on: date | None  # while the trajectory runs
    payment: Payment | None  # once paid


def trajectory_of(application: Application) -> Trajectory | None:
    """The trajectory of a granted file (statuses.GRANTED_STATUSES); None for a file that never
    had one (a draft, an open, rejected or withdrawn file)."""
    if application.status not in GRANTED_STATUSES:
        return None
    ledger = application_balance(application)
    return Trajectory(
        approved_cost_eur=approved_cost(application),
        granted_eur=committed_subsidy(application),
        committed_eur=ledger.open_commitments,
        released_eur=ledger.released,
        released=application.status in RELEASED_STATUSES,
        final_report_due_on=final_report_due_on(application)
        if application.status == Status.IN_PROGRESS
        else None,
        payment=Payment.objects.filter(application=application).first()
        if application.status == Status.CLOSED
        else None,
    )


def trajectory_started_on(application: Application) -> date | None:
    """The day the provider first started the trajectory (approved -> in_progress). A send-back
    also returns the file to in_progress but does not restart the term."""
    change = (
        StatusChange.objects.filter(
            application=application, from_status=Status.APPROVED, to_status=Status.IN_PROGRESS
        )
        .order_by("at", "id")
        .first()
    )
    return change.on if change else None


def _report_due(started: date | None, term_days: int | None) -> date | None:
    if started is None:
        return None
    return started + timedelta(days=term_days if term_days is not None else 365)


def final_report_due_on(application: Application) -> date | None:
    """Start date + the policy's final report term (calendar days)."""
    term = application.policy.final_report_term_days if application.policy else None
    return _report_due(trajectory_started_on(application), term)


def final_report_due_dates(application_ids) -> dict[int, date | None]:
    """final_report_due_on for many files in one query (the lists flag late reports)."""
    from django.db.models import Min

    rows = (
        StatusChange.objects.filter(
            application_id__in=list(application_ids),
            from_status=Status.APPROVED,
            to_status=Status.IN_PROGRESS,
        )
        .values("application_id", "application__policy__final_report_term_days")
        .annotate(started=Min("on"))
    )
    return {
        r["application_id"]: _report_due(
            r["started"], r["application__policy__final_report_term_days"]
        )
        for r in rows
    }


def _score(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed(_("A score is a whole number from 1 to 5."), field=field)
    try:
        score = int(value)
    except ValueError:
        raise ValidationFailed(_("A score is a whole number from 1 to 5."), field=field)
    if not 1 <= score <= 5:
        raise ValidationFailed(_("A score is a whole number from 1 to 5."), field=field)
    return score


def _validate_maturity(maturity) -> list[dict]:
    """`maturity` maps each CyFun function to its four scores:
    {"identify": {"documentation_before": 2, "implementation_before": 1,
                  "documentation_after": 3, "implementation_after": 3}, ...}; all five required."""
    if not isinstance(maturity, dict):
        raise ValidationFailed(
            _("The maturity must give the scores per function."), field="maturity"
        )
    unknown = set(maturity) - set(CyFunFunction.values)
    if unknown:
        raise ValidationFailed(
            _("Unknown function %(function)s.") % {"function": repr(sorted(unknown)[0])},
            field="maturity",
        )
    rows = []
    for function in CyFunFunction.values:
        scores = maturity.get(function)
        if not isinstance(scores, dict):
            raise ValidationFailed(
                _("The scores for %(function)s are missing.") % {"function": function},
                field=f"maturity.{function}",
            )
        rows.append(
            {
                "function": function,
                **{f: _score(scores.get(f), f"maturity.{function}.{f}") for f in MATURITY_FIELDS},
            }
        )
    return rows


@service_atomic
def final_report_submit(
    *,
    actor,
    application: Application,
    work_delivered: str,
    actual_cost_eur,
    maturity,
    made_progress: bool,
    keep_investing: bool,
    satisfaction_score,
    testimonial_consent: bool = False,
    testimonial: str = "",
) -> FinalReport:
    """The provider files the final report; the file moves to completed."""
    application = _lock(application)
    ensure_can_see(actor, application)
    if role_of(actor) != Role.PROVIDER:
        raise PermissionDenied(_("Only the service provider files the final report."))
    if application.status != Status.IN_PROGRESS:
        raise TransitionNotAllowed(
            _("A final report is filed for a running trajectory."), code="TRANSITION_NOT_ALLOWED"
        )
    errors = []
    if not (work_delivered or "").strip():
        errors.append(("work_delivered", _("Describe the work delivered.")))
    try:
        cost = money_argument(actual_cost_eur, field="actual_cost_eur")
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    try:
        rows = _validate_maturity(maturity)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    try:
        score = _score(satisfaction_score, "satisfaction_score")
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if testimonial_consent and not (testimonial or "").strip():
        errors.append(("testimonial", _("Give the testimonial text the enterprise agreed to.")))
    if errors:
        raise ValidationFailed(errors[0][1], field=errors[0][0], errors=errors)
    report = FinalReport.objects.create(
        application=application,
        work_delivered=work_delivered.strip(),
        actual_cost_eur=cost,
        made_progress=bool(made_progress),
        keep_investing=bool(keep_investing),
        satisfaction_score=score,
        testimonial_consent=bool(testimonial_consent),
        testimonial=(testimonial or "").strip() if testimonial_consent else "",
        submitted_on=_today(),
        submitted_by=actor,
    )
    MaturityScore.objects.bulk_create(MaturityScore(report=report, **row) for row in rows)
    application_transition(
        actor=actor, application=application, to_status=Status.COMPLETED, note="final report"
    )
    audit_record(
        actor=actor,
        action="final_report.submit",
        obj=application,
        after={
            "report": report.pk,
            "actual_cost_eur": f"{cost:.2f}",
            "satisfaction_score": score,
            "made_progress": report.made_progress,
            "keep_investing": report.keep_investing,
            "maturity": rows,
        },
    )
    return report


def _open_report(application: Application) -> FinalReport:
    report = (
        application.final_reports.select_for_update()
        .filter(status=FinalReport.ReportStatus.SUBMITTED)
        .last()
    )
    if report is None:
        raise TransitionNotAllowed(
            _("There is no final report waiting for review."), code="TRANSITION_NOT_ALLOWED"
        )
    return report


@service_atomic
def final_report_accept(*, actor, application: Application, note: str = "") -> FinalReport:
    application = _lock(application)
    if role_of(actor) not in STAFF_DECIDERS:
        raise PermissionDenied(_("Only agency staff review a final report."))
    if application.status != Status.COMPLETED:
        raise TransitionNotAllowed(_("The file is not completed."), code="TRANSITION_NOT_ALLOWED")
    report = _open_report(application)
    report.status = FinalReport.ReportStatus.ACCEPTED
    report.reviewed_on = _today()
    report.reviewed_by = actor
    report.staff_note = note.strip()
    report.save()
    audit_record(
        actor=actor,
        action="final_report.accept",
        obj=application,
        before={"report": report.pk, "status": "submitted"},
        after={"report": report.pk, "status": report.status, "note": report.staff_note},
    )
    events.announce("final_report_accepted", report)
    return report


@service_atomic
def final_report_send_back(*, actor, application: Application, note: str) -> FinalReport:
    """Staff send the report back with a note; the trajectory runs again until a new report."""
    application = _lock(application)
    if not (note or "").strip():
        raise ValidationFailed(_("Say what needs to change."), field="note", code="NOTE_REQUIRED")
    if role_of(actor) not in STAFF_DECIDERS:
        raise PermissionDenied(_("Only agency staff review a final report."))
    if application.status != Status.COMPLETED:
        raise TransitionNotAllowed(_("The file is not completed."), code="TRANSITION_NOT_ALLOWED")
    report = _open_report(application)
    report.status = FinalReport.ReportStatus.SENT_BACK
    report.reviewed_on = _today()
    report.reviewed_by = actor
    report.staff_note = note.strip()
    report.save()
    application_transition(
        actor=actor, application=application, to_status=Status.IN_PROGRESS, note=note.strip()
    )
    audit_record(
        actor=actor,
        action="final_report.send_back",
        obj=application,
        before={"report": report.pk, "status": "submitted"},
        after={"report": report.pk, "status": report.status, "note": report.staff_note},
    )
    events.announce("final_report_sent_back", report)
    return report


def payment_preview(application: Application) -> dict:
    """What payment_record would pay now, for the staff screen."""
    report = application.final_reports.filter(status=FinalReport.ReportStatus.ACCEPTED).last()
    approved = approved_cost(application)
    committed = committed_subsidy(application)
    if report is None:
        return {"report": None, "approved_cost_eur": approved, "committed_eur": committed}
    basis = min(report.actual_cost_eur, approved)
    rate = application.rate_pct or Decimal(0)
    amount = min(subsidy_at(rate, basis) or ZERO, committed)
    return {
        "report": report,
        "actual_cost_eur": report.actual_cost_eur,
        "approved_cost_eur": approved,
        "basis_eur": basis,
        "rate_pct": rate,
        "committed_eur": committed,
        "amount_eur": amount,
    }


@service_atomic
def payment_record(*, actor, application: Application, on: date | None = None) -> Payment:
    """Pay the provider for an accepted final report and close the file."""
    application = _lock(application)
    if role_of(actor) not in PAYERS:
        raise PermissionDenied(_("Only agency staff record a payment."))
    if application.status != Status.COMPLETED:
        raise TransitionNotAllowed(
            _("Only a completed file can be paid."), code="TRANSITION_NOT_ALLOWED"
        )
    figures = payment_preview(application)
    if figures["report"] is None:
        raise TransitionNotAllowed(
            _("The final report has not been accepted."), code="FINAL_REPORT_NOT_ACCEPTED"
        )
    on = on or _today()
    # Never more than what is still committed for the file (the ledger's own guard, made explicit).
    open_commitment = application_open_commitment(application)
    amount = min(figures["amount_eur"], open_commitment)
    budgets.budget_realise_application(
        actor=actor, application=application, amount_eur=amount, on=on
    )
    payment = Payment.objects.create(
        application=application,
        paid_on=on,
        amount_eur=amount,
        rate_pct=figures["rate_pct"],
        actual_cost_eur=figures["actual_cost_eur"],
        approved_cost_eur=figures["approved_cost_eur"],
        committed_eur=figures["committed_eur"],
        released_eur=max(open_commitment - amount, ZERO),
        paid_by=actor,
    )
    application.closed_on = on
    application_transition(
        actor=actor,
        application=application,
        to_status=Status.CLOSED,
        on=on,
        note=f"paid {amount:.2f}",
    )
    audit_record(
        actor=actor,
        action="payment.record",
        obj=application,
        after={
            "amount_eur": f"{amount:.2f}",
            "basis_eur": f"{figures['basis_eur']:.2f}",
            "rate_pct": f"{figures['rate_pct']:.2f}",
            "released_eur": f"{payment.released_eur:.2f}",
        },
    )
    events.announce("payment", payment)
    return payment
