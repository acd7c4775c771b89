"""The provider portal: Mijn dossiers, the new-application form, answers to information requests,
withdrawal. A provider user only ever reaches its own provider's files; anything else is 404,
exactly like a reference that does not exist."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from csgrants.accounts.models import Role
from csgrants.applications import confirmation as confirmations
from csgrants.applications import services, trajectory
from csgrants.applications.access import can_see
from csgrants.applications.actions import actions_for
from csgrants.applications.models import Application, Status
from csgrants.applications.selectors import pending_elsewhere
from csgrants.applications.statuses import UNDECIDED_STATUSES
from csgrants.catalogue import bounds
from csgrants.catalogue.models import Package
from csgrants.catalogue.selectors import tariff_for
from csgrants.core import enterprise_number
from csgrants.core.errors import DomainError
from csgrants.core.money import AmountError, format_eur, parse_money
from csgrants.core.permissions import role_required
from csgrants.core.transactions import service_atomic
from csgrants.enterprises.selectors import enterprise_prefill
from csgrants.web import selectors
from csgrants.web.errors import message_for
from csgrants.web.forms import (
    AidFormSet,
    AnswerForm,
    ApplicationBundle,
    PeriodFormSet,
    RelationFormSet,
    WithdrawForm,
    money_field,
)
from csgrants.web.views.common import COUNT_CAP, lang, latest_and_earlier_runs, paginate, today

provider_required = role_required(Role.PROVIDER)


def own_application(request, reference: str) -> Application:
    try:
        application = selectors.application_detail(reference)
    except Application.DoesNotExist:
        raise Http404
    if not can_see(request.user, application):
        raise Http404
    return application


@provider_required
def mine(request):
    qs = selectors.provider_applications(
        provider=request.user.service_provider,
        status=request.GET.get("status", ""),
        package=request.GET.get("package", ""),
        q=request.GET.get("q", ""),
    )
    cap = COUNT_CAP if any(request.GET.get(k) for k in ("q",)) else None
    page, query = paginate(request, qs, fetch=selectors.rows_for, cap=cap)
    now = today()
    running = [a.pk for a in page.object_list if a.status == Status.IN_PROGRESS]
    report_due = trajectory.final_report_due_dates(running) if running else {}
    for a in page.object_list:
        a.report_due_on = report_due.get(a.pk)
        a.report_late = bool(a.report_due_on and a.report_due_on < now)
    context = {
        "page": page,
        "query": query,
        "statuses": Status.choices,
        "packages": Package.objects.filter(is_extension=False),
        "filters": {k: request.GET.get(k, "") for k in ("status", "package", "q")},
        "waiting": Status.INFO_REQUESTED,
        "today": today(),
    }
    template = (
        "web/provider/_list_rows.html"
        if request.htmx and request.htmx.target == "results"
        else "web/provider/list.html"
    )
    return render(request, template, context)


def _tariffs(provider, on):
    """Tariff of the provider per package code today."""
    result = {}
    for package in Package.objects.filter(active=True):
        tariff = tariff_for(provider=provider, package=package, on=on)
        if tariff is not None:
            result[package.code] = tariff.amount_eur
    return result


def _render_form(request, bundle, *, application=None, answer_form=None, status=200):
    tariffs = _tariffs(request.user.service_provider, today())
    return TemplateResponse(
        request,
        "web/provider/form.html",
        {
            "bundle": bundle,
            "form": bundle.form,
            "application": application,
            "answer_form": answer_form,
            "tariff_hints": {code: format_eur(amount) for code, amount in tariffs.items()},
            "preview": _preview_from_data(request, bundle.form, tariffs),
        },
        status=status,
    )


def _service_error(bundle, exc: DomainError):
    if exc.errors:
        for field, message in exc.errors:
            bundle.add_domain_error(
                field, message_for(exc) if exc.code != "VALIDATION_ERROR" else message
            )
    else:
        bundle.add_domain_error(exc.field, message_for(exc))


@provider_required
def application_new(request):
    if request.method == "POST":
        bundle = ApplicationBundle(request.POST)
        if bundle.is_valid():
            try:
                application = services.application_create(
                    actor=request.user,
                    provider=request.user.service_provider,
                    submit="submit" in request.POST,
                    submission_token=bundle.form.cleaned_data.get("submission_token"),
                    **bundle.service_kwargs(),
                )
            except DomainError as exc:
                _service_error(bundle, exc)
            else:
                return _after_save(request, application)
        return _render_form(request, bundle, status=422)
    initial = {"package": "MEDIUM", "enterprise_kind": "kmo"}
    tariffs = _tariffs(request.user.service_provider, today())
    prefill = bounds.prefill_cost(tariffs.get("MEDIUM"), bounds.policy_on(today())).amount
    if prefill is not None:
        initial["cost_eur"] = prefill
    return _render_form(request, ApplicationBundle(initial=initial))


def _after_save(request, application):
    if application.status == Status.DRAFT:
        messages.success(
            request, _("Draft %(reference)s saved.") % {"reference": application.reference}
        )
        return redirect("web:application", reference=application.reference)
    return redirect("web:receipt", reference=application.reference)


def _initial_from(application: Application) -> dict:
    return {
        "enterprise_number": application.enterprise.number,
        "enterprise_name": application.enterprise_name,
        "enterprise_kind": application.enterprise_kind,
        "postal_code": application.postal_code,
        "package": application.package.code,
        "extensions": [p.code for p in application.extensions.all()],
        "cost_eur": application.cost_eur,
        "declaration": application.declaration or {},
        "signatory": confirmations.signatory_of(application),
    }


def _changes(application: Application, kwargs: dict) -> dict:
    """Only what differs, so that the audit trail shows what the provider corrected."""
    current = _initial_from(application)
    changes = {}
    for key, value in kwargs.items():
        if key == "enterprise_number":
            continue
        if key == "extensions":
            if sorted(value) != sorted(current["extensions"]):
                changes[key] = value
        elif key == "cost_eur":
            if Decimal(value) != Decimal(current["cost_eur"]):
                changes[key] = value
        elif value != current.get(key):
            changes[key] = value
    return changes


@provider_required
def application_edit(request, reference):
    application = own_application(request, reference)
    if "edit" not in actions_for(application, request.user):
        messages.error(request, _("Only a draft can be edited."))
        return redirect("web:application", reference=reference)
    if request.method == "POST":
        bundle = ApplicationBundle(
            request.POST, initial=_initial_from(application), lock_enterprise=True
        )
        if bundle.is_valid():
            try:
                with service_atomic():
                    changes = _changes(application, bundle.service_kwargs())
                    if changes:
                        services.application_update(
                            actor=request.user, application=application, **changes
                        )
                    if "submit" in request.POST:
                        services.application_submit(actor=request.user, application=application)
            except DomainError as exc:
                _service_error(bundle, exc)
            else:
                application.refresh_from_db()
                return _after_save(request, application)
        return _render_form(request, bundle, application=application, status=422)
    bundle = ApplicationBundle(initial=_initial_from(application), lock_enterprise=True)
    return _render_form(request, bundle, application=application)


def _draft_preview(application: Application):
    """The automated checks as they would run if the draft were submitted today, so that the
    provider sees green, orange and red before submitting. Nothing is stored."""
    try:
        from csgrants.applications.checks import evaluate
        from csgrants.catalogue.pricing import price

        on = today()
        priced = price(
            enterprise_kind=application.enterprise_kind, cost_eur=application.cost_eur, on=on
        )
        application.policy = priced.policy
        application.submitted_on = on
        application.rate_pct = priced.rate_pct
        application.subsidy_eur = priced.subsidy_eur
        outcomes = evaluate(application)
    except (DomainError, ImportError):
        return None
    finally:
        application.refresh_from_db(fields=["policy", "submitted_on", "rate_pct", "subsidy_eur"])
    english = lang() == "en"
    return [
        {"code": o.code, "outcome": o.outcome, "message": o.message_en if english else o.message_nl}
        for o in outcomes
    ]


@provider_required
def application_detail(request, reference):
    application = own_application(request, reference)
    latest, earlier = latest_and_earlier_runs(application)
    preview = _draft_preview(application) if application.status == Status.DRAFT else None
    open_request = next((r for r in application.info_requests.all() if r.answered_on is None), None)
    return render(
        request,
        "web/provider/detail.html",
        {
            "application": application,
            "latest_run": latest,
            "earlier_runs": earlier,
            "preview": preview,
            "open_request": open_request,
            "actions": actions_for(application, request.user),
            "staff_view": False,
            "confirmation": confirmations.confirmation_summary(application),
            # That another file exists, never whose: another provider's file is not its business.
            "pending_elsewhere": application.status in UNDECIDED_STATUSES
            and bool(pending_elsewhere(application)),
        },
    )


@require_POST
@provider_required
def application_submit(request, reference):
    application = own_application(request, reference)
    try:
        services.application_submit(actor=request.user, application=application)
    except DomainError as exc:
        messages.error(request, message_for(exc))
        return redirect("web:application", reference=reference)
    return redirect("web:receipt", reference=reference)


@provider_required
def receipt(request, reference):
    application = own_application(request, reference)
    if application.submitted_on is None and application.status != Status.AWAITING_CONFIRMATION:
        raise Http404
    return render(request, "web/provider/receipt.html", {"application": application})


@provider_required
def answer(request, reference):
    """Answer an open information request: the text, and optionally corrected figures."""
    application = own_application(request, reference)
    open_request = next((r for r in application.info_requests.all() if r.answered_on is None), None)
    if "answer_info" not in actions_for(application, request.user) or open_request is None:
        messages.error(request, _("There is no open information request for this file."))
        return redirect("web:application", reference=reference)
    if request.method == "POST":
        answer_form = AnswerForm(request.POST)
        bundle = ApplicationBundle(
            request.POST, initial=_initial_from(application), lock_enterprise=True
        )
        if all([answer_form.is_valid(), bundle.is_valid()]):
            try:
                # Correction and answer stand or fall together: the clock resumes only with both.
                with service_atomic():
                    changes = _changes(application, bundle.service_kwargs())
                    if changes:
                        services.application_update(
                            actor=request.user, application=application, **changes
                        )
                    services.info_answer(
                        actor=request.user,
                        application=application,
                        answer=answer_form.cleaned_data["answer"],
                    )
            except DomainError as exc:
                if exc.field == "answer":
                    answer_form.add_error("answer", message_for(exc))
                else:
                    _service_error(bundle, exc)
            else:
                application.refresh_from_db(fields=["status"])
                if application.status == Status.AWAITING_CONFIRMATION:
                    messages.success(
                        request,
                        _(
                            "Your answer was sent. It changed what the enterprise declared: "
                            "the enterprise was asked to confirm again."
                        ),
                    )
                else:
                    messages.success(
                        request, _("Your answer was sent. The decision clock runs again.")
                    )
                return redirect("web:application", reference=reference)
        response = _render_form(
            request, bundle, application=application, answer_form=answer_form, status=422
        )
    else:
        response = _render_form(
            request,
            ApplicationBundle(initial=_initial_from(application), lock_enterprise=True),
            application=application,
            answer_form=AnswerForm(),
        )
    response.context_data["open_request"] = open_request
    return response


@require_POST
@provider_required
def confirmation_resend(request, reference):
    """A new link to the signatory of a file waiting for its enterprise (throttled)."""
    application = own_application(request, reference)
    try:
        confirmations.confirmation_resend(actor=request.user, application=application)
    except DomainError as exc:
        messages.error(request, message_for(exc))
    else:
        messages.success(
            request,
            _("A new confirmation link was sent to %(email)s.")
            % {"email": application.signatory_email},
        )
    return redirect("web:application", reference=reference)


@require_POST
@provider_required
def confirmation_recall(request, reference):
    """Take a file that waits for its enterprise back as a draft, to correct it."""
    application = own_application(request, reference)
    try:
        confirmations.confirmation_recall(actor=request.user, application=application)
    except DomainError as exc:
        messages.error(request, message_for(exc))
    else:
        messages.success(
            request, _("The file is a draft again; its confirmation link no longer works.")
        )
    return redirect("web:application", reference=reference)


@provider_required
def withdraw(request, reference):
    application = own_application(request, reference)
    if "withdraw" not in actions_for(application, request.user):
        messages.error(request, _("This file can no longer be withdrawn."))
        return redirect("web:application", reference=reference)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                actor=request.user, application=application, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, message_for(exc))
        else:
            messages.success(
                request, _("Application %(reference)s was withdrawn.") % {"reference": reference}
            )
        return redirect("web:application", reference=reference)
    return render(request, "web/provider/withdraw.html", {"application": application, "form": form})


# --- htmx fragments of the form ------------------------------------------------------------------


def enterprise_prefill_shown(number: str, provider=None) -> dict | None:
    """Register data when the KBO import has loaded it, else what `provider` itself filed for
    the enterprise before. Never the shared enterprise record nor another provider's files: what
    one provider typed is not shown to another (issue 20)."""
    data = enterprise_prefill(number)
    if data:
        register = {
            k: v for k, v in data.items() if k not in ("enterprise_number", "enterprise_name")
        }
        return {**register, "name": data["enterprise_name"], "source": "register"}
    if provider is None:
        return None
    earlier = selectors.own_latest_filing(provider=provider, number=number)
    if earlier is None:
        return None
    return {**earlier, "source": "csgrants"}


@provider_required
def enterprise_lookup(request):
    """Fill the enterprise fields from the register as soon as a valid number is typed."""
    try:
        number = enterprise_number.normalize(request.GET.get("enterprise_number", ""))
    except enterprise_number.InvalidEnterpriseNumber:  # a half-typed number finds nothing
        number = None
    prefill = enterprise_prefill_shown(number, request.user.service_provider) if number else None
    if prefill is None:
        # Nothing to fill in: leave what the provider is typing alone.
        response = HttpResponse(status=204)
        response["HX-Reswap"] = "none"
        return response
    data = request.GET.copy()
    if prefill:
        data["enterprise_name"] = prefill.get("name") or data.get("enterprise_name", "")
        data["postal_code"] = prefill.get("postal_code") or data.get("postal_code", "")
        if prefill.get("kind"):
            data["enterprise_kind"] = prefill["kind"]
    form = ApplicationBundle(data).form
    extra = {
        k: ", ".join(v) if isinstance(v, list) else v
        for k, v in (prefill or {}).items()
        if k not in ("name", "postal_code", "kind", "source", "number") and v not in (None, "", [])
    }
    return render(
        request,
        "web/provider/_enterprise.html",
        {
            "form": form,
            "prefill": prefill,
            "register_extra": extra,
            "number": number,
        },
    )


def _preview_from_data(request, form, tariffs) -> dict:
    """Tariff of the chosen package and extensions, and the subsidy on the cost, from the form's
    (possibly unvalidated) data."""
    data = form.data if form.is_bound else None
    if data is not None:
        package = data.get("package", "")
        extensions = (
            data.getlist("extensions") if hasattr(data, "getlist") else data.get("extensions", [])
        )
        kind = data.get("enterprise_kind", "kmo")
        cost_text = data.get("cost_eur", "")
    else:
        package = form.initial.get("package", "")
        extensions = form.initial.get("extensions", [])
        kind = form.initial.get("enterprise_kind", "kmo")
        cost_text = form.initial.get("cost_eur", "")
    tariff_parts = [(code, tariffs.get(code)) for code in [package, *extensions] if code]
    tariff_total = (
        sum((t for _, t in tariff_parts if t is not None), Decimal(0)) if tariff_parts else None
    )
    if tariff_parts and any(t is None for _, t in tariff_parts):
        tariff_total = None
    # What the cost field may be filled in with: the tariffs' sum within the policy's range, the
    # maximum when the sum is above it (catalogue.bounds): never what the checks refuse.
    policy = bounds.policy_on(today())
    prefill = bounds.prefill_cost(tariff_total, policy)
    cost_range = bounds.cost_range(policy) if policy is not None else None
    cost = None
    if isinstance(cost_text, Decimal):
        cost = cost_text
    else:
        try:
            cost = money_field("", required=False).clean(cost_text)
        except forms.ValidationError:  # a half-typed amount previews nothing
            cost = None
    rate = subsidy = None
    if cost is not None:
        try:
            rate, subsidy = services.subsidy_preview(
                enterprise_kind=kind, cost_eur=cost, on=today()
            )
        except DomainError:
            rate = subsidy = None
    return {
        "tariff_parts": tariff_parts,
        "tariff_total": tariff_total,
        "prefill": prefill.amount,
        "prefill_capped": prefill.capped,
        "cost_range": cost_range,
        "cost": cost,
        "rate": rate,
        "subsidy": subsidy,
    }


@provider_required
def subsidy_preview(request):
    """The live subsidy (htmx): tariff of package and extensions, the cost and the subsidy at the
    rate of the policy in force today. When the provider has not typed an own cost, the cost
    follows the tariff."""
    tariffs = _tariffs(request.user.service_provider, today())
    data = request.GET.copy()
    previous_tariff = data.get("tariff_total", "")
    bundle = ApplicationBundle(data)
    preview = _preview_from_data(request, bundle.form, tariffs)
    cost_text = (data.get("cost_eur") or "").strip()
    follows_tariff = not cost_text or (previous_tariff and _same_amount(cost_text, previous_tariff))
    if follows_tariff and preview["prefill"] is not None:
        data["cost_eur"] = money_field("").prepare_value(preview["prefill"])
        bundle = ApplicationBundle(data)
        preview = _preview_from_data(request, bundle.form, tariffs)
    return render(request, "web/provider/_cost.html", {"form": bundle.form, "preview": preview})


def _same_amount(typed: str, tariff_total: str) -> bool:
    """The cost as typed (UI spelling) against the prefilled cost of the hidden field
    `tariff_total` (machine spelling)."""
    try:
        return money_field("", required=False).clean(typed) == parse_money(tariff_total)
    except (forms.ValidationError, AmountError):
        return False


ROW_FORMSETS = {"periods": PeriodFormSet, "relations": RelationFormSet, "aid": AidFormSet}


@provider_required
def formset_row(request, kind):
    """htmx: one more empty row of a formset of the declaration, and the formset's new total."""
    formset_class = ROW_FORMSETS.get(kind)
    if formset_class is None:
        raise Http404
    try:
        total = int(request.GET.get(f"{kind}-TOTAL_FORMS", "0"))
    except ValueError:
        total = 0
    if total >= formset_class.max_num:
        return render(request, "web/provider/_row_limit.html", {"kind": kind, "total": total})
    formset = formset_class(prefix=kind)
    row = formset._construct_form(total, empty_permitted=True, use_required_attribute=False)
    return render(
        request,
        "web/provider/_row.html",
        {"row": row, "kind": kind, "index": total, "total": total + 1, "oob": True},
    )
