"""Budget manager screens: the overview per provider (overall or per year, with the trend), a
provider's detail, the ledger lines behind every figure, and the forms that record a top-up, a
new framework agreement and an assignment from a reserve.

Roles: budget managers and administrators record (they manage the money); reviewers and
analysts read, because a reviewer must see why an approval fails for lack of budget and an
analyst answers questions about budget per year. Provider users see no budgets: the figures of
other providers are not theirs to see.
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from csgrants.budgets import selectors, services
from csgrants.budgets.forms import AgreementForm, ReserveAssignForm, TopUpForm
from csgrants.budgets.models import Allocation, LedgerEntry
from csgrants.budgets.runway import runway
from csgrants.catalogue.models import ServiceProvider
from csgrants.core import clock
from csgrants.core.errors import DomainError
from csgrants.core.permissions import has_role, role_required

READ_ROLES = ("budget_manager", "admin", "reviewer", "analyst")
RECORD_ROLES = ("budget_manager", "admin")
LEDGER_PAGE = 200


def _figure_labels():
    # Evaluated per request so the labels follow the user's language.
    return {
        "allocated": _("Allocated"),
        "committed": _("Committed"),
        "released": _("Released"),
        "paid": _("Paid"),
        "open": _("Still committed"),
        "available": _("Available"),
    }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _year(request, years) -> int | None:
    year = _int(request.GET.get("year"))
    return year if year in years else None


def _apply_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _context(request, **extra):
    return {"can_record": has_role(request.user, *RECORD_ROLES), **extra}


@role_required(*READ_ROLES)
def overview(request):
    today = clock.today()
    years = selectors.ledger_years()
    year = _year(request, years)
    rows = selectors.budget_overview(today=today, year=year)
    flows = selectors.Balance()
    position = selectors.Balance()
    for row in rows:
        flows = flows + row.balance
        position = position + row.position
    return render(
        request,
        "budgets/overview.html",
        _context(
            request,
            today=today,
            years=years,
            year=year,
            rows=rows,
            totals=flows,
            position=position,
            year_end=dt.date(year, 12, 31) if year else None,
            reserves=selectors.reserves(),
            scheme=selectors.scheme_totals(),
            runway_warnings=_runway_warnings(today),
        ),
    )


def _runway_warnings(today, provider=None):
    """Providers whose budget may run out within 8 weeks (P10 of the runway, issue 24)."""
    return runway(today, providers=[provider] if provider else None).warnings()


@role_required(*READ_ROLES)
def provider_detail(request, pk: int):
    provider = get_object_or_404(ServiceProvider, pk=pk)
    today = clock.today()
    return render(
        request,
        "budgets/provider.html",
        _context(
            request,
            provider=provider,
            today=today,
            balance=selectors.provider_position(provider),
            years=selectors.provider_years(provider),
            trend=selectors.provider_trend(provider, today=today),
            runway_warnings=_runway_warnings(today, provider),
            allocations=Allocation.objects.filter(provider=provider).select_related(
                "agreement", "reserve"
            ),
            figure_labels=_figure_labels(),
        ),
    )


@role_required(*READ_ROLES)
def ledger(request):
    """The ledger lines behind a figure: filter by provider, figure or kind, year, end date."""
    provider = None
    provider_id = _int(request.GET.get("provider"))
    if provider_id is not None:
        provider = get_object_or_404(ServiceProvider, pk=provider_id)
    figure = request.GET.get("figure")
    figure = figure if figure in selectors.FIGURES else None
    kind = request.GET.get("kind")
    kinds = [kind] if kind in selectors.KINDS else None
    years = selectors.ledger_years()
    year = _year(request, years)
    try:
        until = dt.date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        until = None
    qs = selectors.ledger_lines(
        provider=provider, figure=figure, kinds=kinds, year=year, until=until
    )
    # The count and the total from the yearly sums: counting and summing a million lines for
    # every page took longer than the page itself.
    count, total = selectors.ledger_count_total(
        provider=provider, figure=figure, kinds=kinds, year=year, until=until
    )
    paginator = Paginator(qs, LEDGER_PAGE)
    paginator.count = count  # a cached property: the paginator does not count again
    page = paginator.get_page(request.GET.get("page"))
    lines, _page_total = selectors.figure_lines(page.object_list, figure)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "budgets/ledger.html",
        _context(
            request,
            provider=provider,
            providers=ServiceProvider.objects.order_by("code"),
            figure=figure,
            figure_label=_figure_labels().get(figure or ""),
            figure_labels=_figure_labels(),
            kind=kind if kinds else None,
            kind_choices=LedgerEntry.Kind.choices,
            years=years,
            year=year,
            until=until,
            lines=lines,
            total=total,
            page=page,
            query=query.urlencode(),
        ),
    )


@role_required(*RECORD_ROLES)
def top_up(request):
    initial: dict[str, object] = {"allocated_on": clock.today()}
    provider_id = _int(request.GET.get("provider"))
    if provider_id:
        initial["provider"] = provider_id
    form = TopUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.allocation_top_up(
                actor=request.user,
                provider=data["provider"],
                amount_eur=data["amount_eur"],
                allocated_on=data["allocated_on"],
                note=data["note"],
                agreement=data["agreement"],
                submission_token=data["submission_token"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("budgets:provider", pk=data["provider"].pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "budgets/form.html",
        _context(request, form=form, title=_("Record a top-up"), submit=_("Record the top-up")),
        status=status,
    )


@role_required(*RECORD_ROLES)
def agreement_new(request):
    form = AgreementForm(request.POST or None, initial={"start_date": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_create(
                actor=request.user,
                reference=data["reference"],
                procurement_round=data["procurement_round"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                initial_allocations=form.initial_allocations(),
                reserve_eur=data["reserve_eur"],
                note=data["note"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("budgets:overview")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "budgets/agreement_form.html",
        _context(request, form=form, title=_("New framework agreement")),
        status=status,
    )


@role_required(*RECORD_ROLES)
def reserve_assign(request, pk: int):
    reserve = get_object_or_404(Allocation, pk=pk, kind=Allocation.Kind.RESERVE)
    form = ReserveAssignForm(request.POST or None, initial={"allocated_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reserve_assign(
                actor=request.user,
                reserve=reserve,
                provider=data["provider"],
                amount_eur=data["amount_eur"],
                allocated_on=data["allocated_on"],
                note=data["note"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("budgets:provider", pk=data["provider"].pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "budgets/form.html",
        _context(
            request,
            form=form,
            reserve=reserve,
            reserve_free=selectors.reserve_free(reserve),
            title=_("Assign from the reserve"),
            submit=_("Assign"),
            back=reverse("budgets:overview"),
        ),
        status=status,
    )
