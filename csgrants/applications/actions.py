"""What a user may do with a file now: the buttons the web pages show and the operations the API
allows, from one function. The services still check everything themselves when the action is
taken (a page may be stale); this only says what to offer.

`actions_for(application, actor)` answers a set of action names:

- the steps of the transition table (`workflow.TRANSITIONS`) that the actor's role may take from
  the file's status: submit, withdraw, request_info, answer_info, approve, reject, start, stop,
  complete (file the final report), send_back, pay; with the preconditions the table alone
  does not hold (pay and send_back need a final report in the right state);
- the operations that change no status: edit (a draft), resend_confirmation (a new link to the
  enterprise of a file waiting for it), recheck (run the checks again on a file
  awaiting a decision), amend (propose an upgrade or extension on a running trajectory),
  decide_amendment (one is waiting), accept_report (a final report is waiting for review).

A file the actor may not see has no actions.
"""

from __future__ import annotations

from csgrants.accounts.models import Role
from csgrants.applications.access import can_see, role_of
from csgrants.applications.models import Amendment, Application, FinalReport
from csgrants.applications.statuses import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    WAITING_FOR_ENTERPRISE_STATUSES,
    Status,
)
from csgrants.applications.workflow import STAFF_DECIDERS, TRANSITIONS, allowed_targets

EDIT = "edit"
RECHECK = "recheck"
AMEND = "amend"
DECIDE_AMENDMENT = "decide_amendment"
ACCEPT_REPORT = "accept_report"
# A new link to the enterprise's signatory of a file waiting for its confirmation (issue 22).
RESEND_CONFIRMATION = "resend_confirmation"

# The outcome a decision records -> the step of the table it takes.
DECISION_STEPS = {Status.APPROVED: "approve", Status.REJECTED: "reject"}


def _report_status(application: Application) -> str | None:
    """The status of the latest final report (prefetched reports are used when present)."""
    reports = list(application.final_reports.all())
    if not reports:
        return None
    return max(reports, key=lambda r: r.pk).status


def _amendment_waiting(application: Application) -> bool:
    return any(
        a.status == Amendment.AmendmentStatus.SUBMITTED for a in application.amendments.all()
    )


def actions_for(application: Application, actor) -> frozenset[str]:
    if not can_see(actor, application):
        return frozenset()
    role = role_of(actor)
    status = application.status
    actions = {TRANSITIONS[(status, target)].name for target in allowed_targets(status, role)}
    if status == Status.COMPLETED:
        report = _report_status(application)
        if report != FinalReport.ReportStatus.ACCEPTED:
            actions.discard("pay")
        if report != FinalReport.ReportStatus.SUBMITTED:
            actions.discard("send_back")
        elif role in STAFF_DECIDERS:
            actions.add(ACCEPT_REPORT)
    if role == Role.PROVIDER:
        if status == Status.DRAFT:
            actions.add(EDIT)  # a file with an open request is corrected with the answer
        if status in RUNNING_STATUSES:
            actions.add(AMEND)
        if status in WAITING_FOR_ENTERPRISE_STATUSES:
            actions.add(RESEND_CONFIRMATION)
    if role in STAFF_DECIDERS:
        if status in OPEN_STATUSES and application.policy_id is not None:
            actions.add(RECHECK)
        if status in RUNNING_STATUSES and _amendment_waiting(application):
            actions.add(DECIDE_AMENDMENT)
    return frozenset(actions)
