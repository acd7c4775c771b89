"""Screens after approval: the provider starts the trajectory, proposes amendments and files the
final report; staff decide on amendments, accept or send back the report and record the payment.
Each view parses the form, calls one service and shows the domain error in the user's language."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from csgrants.accounts.models import Role
from csgrants.applications import amendments, services, trajectory
from csgrants.applications.actions import actions_for
from csgrants.applications.models import Amendment, Application
from csgrants.core.errors import DomainError
from csgrants.core.permissions import role_required
from csgrants.web import selectors
from csgrants.web.errors import message_for
from csgrants.web.forms_after import (
    AmendmentDecisionForm,
    AmendmentForm,
    FinalReportForm,
    ReviewNoteForm,
)
from csgrants.web.views.provider import own_application, provider_required

decider_required = role_required(Role.REVIEWER, Role.ADMIN)


def _staff_get(reference) -> Application:
    try:
        return selectors.application_detail(reference)
    except Application.DoesNotExist:
        raise Http404


def _field_error(form, exc: DomainError) -> None:
    field = (exc.field or "").split(".")[0].split("[")[0]
    if field in form.fields and exc.code != "BUDGET_EXHAUSTED":
        form.add_error(field, message_for(exc))
    else:
        form.add_error(None, message_for(exc))


# --- provider ----------------------------------------------------------------------------------


@require_POST
@provider_required
def start(request, reference):
    application = own_application(request, reference)
    try:
        services.application_start(actor=request.user, application=application)
    except DomainError as exc:
        messages.error(request, message_for(exc))
    else:
        messages.success(request, _("The trajectory has started."))
    return redirect("web:application", reference=reference)


@provider_required
def amend(request, reference):
    application = own_application(request, reference)
    if "amend" not in actions_for(application, request.user):
        messages.error(request, _("Only an approved or running trajectory can be amended."))
        return redirect("web:application", reference=reference)
    form = AmendmentForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            amendments.amendment_request(
                actor=request.user,
                application=application,
                kind=form.cleaned_data["kind"],
                package=form.cleaned_data["package"],
                extra_cost_eur=form.cleaned_data["extra_cost_eur"],
            )
        except DomainError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, _("The amendment was sent to the agency."))
            return redirect("web:application", reference=reference)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "web/after/amend.html", {"application": application, "form": form}, status=status
    )


@provider_required
def final_report(request, reference):
    application = own_application(request, reference)
    if "complete" not in actions_for(application, request.user):
        messages.error(request, _("A final report is filed for a running trajectory."))
        return redirect("web:application", reference=reference)
    previous = application.final_reports.order_by("-id").first()
    form = FinalReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trajectory.final_report_submit(
                actor=request.user, application=application, **form.service_kwargs()
            )
        except DomainError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, _("The final report was sent to the agency."))
            return redirect("web:application", reference=reference)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "web/after/final_report.html",
        {"application": application, "form": form, "previous": previous},
        status=status,
    )


# --- staff ---------------------------------------------------------------------------------------


@require_POST
@decider_required
def amendment_decide(request, reference, amendment_id):
    application = _staff_get(reference)
    amendment = get_object_or_404(Amendment, pk=amendment_id, application=application)
    form = AmendmentDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            amendments.amendment_decide(
                actor=request.user,
                amendment=amendment,
                outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"]
                if form.cleaned_data["outcome"] == "rejected"
                else [],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, message_for(exc))
        else:
            messages.success(
                request,
                _("The amendment was approved; the extra subsidy is committed.")
                if form.cleaned_data["outcome"] == "approved"
                else _("The amendment was rejected."),
            )
    return redirect("web:review", reference=reference)


@require_POST
@decider_required
def report_accept(request, reference):
    application = _staff_get(reference)
    form = ReviewNoteForm(request.POST)
    form.is_valid()
    try:
        trajectory.final_report_accept(
            actor=request.user, application=application, note=form.cleaned_data.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, message_for(exc))
    else:
        messages.success(request, _("The final report was accepted; the payment can be recorded."))
    return redirect("web:review", reference=reference)


@require_POST
@decider_required
def report_send_back(request, reference):
    application = _staff_get(reference)
    form = ReviewNoteForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    if not note.strip():
        messages.error(request, _("Say what needs to change before sending the report back."))
        return redirect("web:review", reference=reference)
    try:
        trajectory.final_report_send_back(actor=request.user, application=application, note=note)
    except DomainError as exc:
        messages.error(request, message_for(exc))
    else:
        messages.success(request, _("The final report was sent back; the trajectory runs again."))
    return redirect("web:review", reference=reference)
