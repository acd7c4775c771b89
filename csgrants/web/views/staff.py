"""The agency's back office: the review queue and the application page where a reviewer reads the
checks, the declaration, the register data, the history and the audit trail, and decides."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from csgrants.accounts.models import Role
from csgrants.applications import confirmation as confirmations
from csgrants.applications import services
from csgrants.applications.actions import actions_for
from csgrants.applications.models import Application, Decision
from csgrants.applications.selectors import pending_elsewhere
from csgrants.applications.statuses import OPEN_STATUSES
from csgrants.catalogue.models import Package, ReasonCode, ServiceProvider
from csgrants.core.calendar import default_calendar
from csgrants.core.errors import DomainError
from csgrants.core.permissions import STAFF, role_required
from csgrants.web import selectors
from csgrants.web.errors import message_for
from csgrants.web.forms import DecisionForm, StopForm
from csgrants.web.views.common import (
    COUNT_CAP,
    lang,
    latest_and_earlier_runs,
    paginate,
    today,
)
from csgrants.web.views.provider import enterprise_prefill_shown

staff_required = role_required(*STAFF)
decider_required = role_required(Role.REVIEWER, Role.ADMIN)


@staff_required
def queue(request):
    filters = {k: request.GET.get(k, "") for k in ("provider", "package", "outcome", "q", "status")}
    qs = selectors.review_queue(**filters)
    cap = COUNT_CAP if any(request.GET.get(k) for k in ("outcome", "q")) else None
    page, query = paginate(request, qs, fetch=selectors.rows_for, cap=cap)
    now = today()
    limit = selectors.soon_limit(default_calendar(), now)
    rows = [(a, selectors.due_flag(a.decision_due_on, now, limit)) for a in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "filters": filters,
        "today": now,
        "providers": ServiceProvider.objects.all(),
        "packages": Package.objects.filter(is_extension=False),
        "open_statuses": [(s.value, s.label) for s in OPEN_STATUSES],
        "risk_flags": confirmations.risk_flags_for(page.object_list),
    }
    template = (
        "web/staff/_queue_rows.html"
        if request.htmx and request.htmx.target == "results"
        else "web/staff/queue.html"
    )
    return render(request, template, context)


def _get(reference) -> Application:
    try:
        return selectors.application_detail(reference)
    except Application.DoesNotExist:
        raise Http404


def _reasons_with_letters():
    english = lang() == "en"
    return {
        r.code: (r.letter_en if english else r.letter_nl) or ""
        for r in ReasonCode.objects.filter(active=True)
    }


def _page(request, application, *, decision_form=None, stop_form=None, status=200):
    latest, earlier = latest_and_earlier_runs(application)
    now = today()
    flag = (
        selectors.due_flag(
            application.decision_due_on, now, selectors.soon_limit(default_calendar(), now)
        )
        if application.status in OPEN_STATUSES
        else ""
    )
    actions = actions_for(application, request.user)
    can_decide = bool({"approve", "reject"} & actions)
    can_request_info = "request_info" in actions
    can_stop = "stop" in actions
    if can_decide and decision_form is None:
        decision_form = DecisionForm(initial={"action": DecisionForm.APPROVE})
    if can_stop and stop_form is None:
        stop_form = StopForm()
    return render(
        request,
        "web/staff/detail.html",
        {
            "application": application,
            "latest_run": latest,
            "earlier_runs": earlier,
            "due_flag": flag,
            "register": enterprise_prefill_shown(application.enterprise.number),
            "audit": selectors.audit_trail(application),
            "confirmation": confirmations.confirmation_summary(application),
            "risk_flags": confirmations.risk_flags(application),
            "pending_elsewhere": pending_elsewhere(application),
            "decision_form": decision_form,
            "stop_form": stop_form,
            "can_decide": can_decide,
            "can_request_info": can_request_info,
            "can_stop": can_stop,
            "can_recheck": "recheck" in actions,
            "letters": _reasons_with_letters(),
            "staff_view": True,
            "open_request": next(
                (r for r in application.info_requests.all() if r.answered_on is None), None
            ),
        },
        status=status,
    )


@staff_required
def application_page(request, reference):
    return _page(request, _get(reference))


@require_POST
@decider_required
def decide(request, reference):
    """Approve, reject with reasons and a note, or request information: one form, one place."""
    application = _get(reference)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, application, decision_form=form, status=422)
    action = form.cleaned_data["action"]
    try:
        if action == DecisionForm.REQUEST_INFO:
            services.info_request(
                actor=request.user, application=application, question=form.cleaned_data["question"]
            )
            messages.success(request, _("Information was requested; the decision clock is paused."))
        else:
            outcome = (
                Decision.Outcome.APPROVED
                if action == DecisionForm.APPROVE
                else Decision.Outcome.REJECTED
            )
            reasons = form.cleaned_data["reasons"] if outcome == Decision.Outcome.REJECTED else []
            services.decision_record(
                actor=request.user,
                application=application,
                outcome=outcome,
                reasons=reasons,
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                _("The file was approved.")
                if outcome == Decision.Outcome.APPROVED
                else _("The file was rejected."),
            )
    except DomainError as exc:
        # The service rolled everything back (e.g. BUDGET_EXHAUSTED): say so, change nothing.
        if exc.field in form.fields and exc.code != "BUDGET_EXHAUSTED":
            form.add_error(exc.field, message_for(exc))
        else:
            messages.error(request, message_for(exc))
        return _page(
            request, _get(reference), decision_form=form, status=409 if exc.status == 409 else 422
        )
    return redirect("web:review", reference=reference)


@require_POST
@decider_required
def stop(request, reference):
    application = _get(reference)
    form = StopForm(request.POST)
    if not form.is_valid():
        return _page(request, application, stop_form=form, status=422)
    try:
        services.application_stop(
            actor=request.user,
            application=application,
            reasons=form.cleaned_data["reasons"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, message_for(exc))
        return _page(
            request, _get(reference), stop_form=form, status=409 if exc.status == 409 else 422
        )
    messages.success(request, _("The file was stopped; the committed budget was released."))
    return redirect("web:review", reference=reference)


@require_POST
@decider_required
def recheck(request, reference):
    """Run the automated checks again (after new register data, a correction, a budget top-up)."""
    application = _get(reference)
    if "recheck" not in actions_for(application, request.user):
        messages.error(request, _("Checks are run again only for files awaiting a decision."))
        return redirect("web:review", reference=reference)
    try:
        services.application_recheck(actor=request.user, application=application)
    except DomainError as exc:
        messages.error(request, message_for(exc))
    else:
        messages.success(request, _("The checks were run again."))
    return redirect("web:review", reference=reference)


@decider_required
def letter_text(request):
    """htmx: propose the letter text of the chosen reasons in the note, unless the reviewer
    already wrote an own note."""
    letters = _reasons_with_letters()
    codes = request.GET.getlist("reasons")
    proposal = "\n\n".join(letters[c] for c in codes if letters.get(c))
    note = request.GET.get("note", "")
    previous = request.GET.get("note_proposal", "")
    if not note.strip() or note.strip() == previous.strip():
        note = proposal
    form = DecisionForm(initial={"note": note})
    return render(
        request, "web/staff/_note.html", {"decision_form": form, "note": note, "proposal": proposal}
    )
