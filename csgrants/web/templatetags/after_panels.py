"""The after-approval panels on the provider's and the staff's application pages, as inclusion
tags so that the pages need one line each."""

from __future__ import annotations

from django import template

from csgrants.applications import confirmation as confirmations
from csgrants.applications import trajectory
from csgrants.applications.actions import actions_for
from csgrants.applications.models import MATURITY_FIELDS, CyFunFunction, FinalReport, Status
from csgrants.core import clock
from csgrants.web.forms_after import ASPECT_LABELS, AmendmentDecisionForm, ReviewNoteForm

register = template.Library()


def _maturity_rows(report):
    if report is None:
        return []
    by_function = {m.function: m for m in report.maturity.all()}
    rows = []
    for f in CyFunFunction.values:
        m = by_function.get(f)
        rows.append(
            (CyFunFunction(f).label, [getattr(m, a) if m else None for a in MATURITY_FIELDS])
        )
    return rows


def _language(context) -> str:
    request = context.get("request")
    return (getattr(request, "LANGUAGE_CODE", None) or "nl")[:2]


def _base(application, trajectory_figures, user):
    items = list(
        application.amendments.select_related("package").prefetch_related("decisions__reasons")
    )
    for a in items:
        a.awaits_enterprise = confirmations.amendment_awaits_enterprise(a)
    reports = list(application.final_reports.prefetch_related("maturity").order_by("id"))
    latest = reports[-1] if reports else None
    return {
        "application": application,
        "trajectory": trajectory_figures,
        "actions": actions_for(application, user),
        "amendments": items,
        "awaiting_enterprise": any(a.awaits_enterprise for a in items),
        "latest_report": latest,
        "maturity_rows": _maturity_rows(latest),
        "aspects": [ASPECT_LABELS[a] for a in MATURITY_FIELDS],
    }


@register.inclusion_tag("web/after/_provider_panel.html", takes_context=True)
def provider_after_panel(context, application):
    # Only a file that has a trajectory shows the panel (trajectory_of says which).
    figures = trajectory.trajectory_of(application)
    if figures is None:
        return {"show": False}
    data = _base(application, figures, context["request"].user)
    due = figures.final_report_due_on
    data.update(
        show=True,
        request=context.get("request"),
        csrf_token=context.get("csrf_token"),
        report_late=bool(due and due < clock.today()),
    )
    return data


@register.inclusion_tag("web/after/_staff_panel.html", takes_context=True)
def staff_after_panel(context, application):
    figures = trajectory.trajectory_of(application)
    if figures is None:
        return {"show": False}
    user = context["request"].user
    data = _base(application, figures, user)
    actions = data["actions"]
    lang = _language(context)
    for a in data["amendments"]:
        a.check_rows = [
            {
                "code": c.get("code"),
                "outcome": c.get("outcome"),
                "message": c.get("message_en") if lang == "en" else c.get("message_nl"),
            }
            for c in a.checks or []
        ]
    report = data["latest_report"]
    under_review = report is not None and report.status == FinalReport.ReportStatus.SUBMITTED
    preview = (
        trajectory.payment_preview(application) if application.status == Status.COMPLETED else None
    )
    data.update(
        show=True,
        request=context.get("request"),
        csrf_token=context.get("csrf_token"),
        decider="decide_amendment" in actions,
        decision_form=AmendmentDecisionForm(initial={"outcome": "approved"})
        if "decide_amendment" in actions
        else None,
        review_form=ReviewNoteForm() if "accept_report" in actions else None,
        under_review=under_review,
        preview=preview if preview and preview.get("report") else None,
        can_pay="pay" in actions,
    )
    return data


@register.filter
def cyfun(code):
    """The translated name of a CyberFundamentals function code (identify -> identificeren)."""
    try:
        return CyFunFunction(code).label
    except ValueError:
        return code
