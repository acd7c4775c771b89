"""Budget services: framework agreements, allocations, top-ups, reserves, and the commitments,
releases and payments that approvals, withdrawals, stops and payments make.

Concurrency. Every change to a provider's ledger first locks that provider's ProviderBudget row
with SELECT ... FOR UPDATE and only then reads the balance, all inside the caller's transaction.
Two approvals racing for the last euro are therefore serialised: the second one reads the
balance after the first has committed and fails with BUDGET_EXHAUSTED, rolling back its whole
transaction (status change, decision, audit). Locks are always taken in the same order so that
two transactions can never wait for each other:

    application row (applications.services)  ->  reserve allocation row  ->
    provider budget rows in ascending provider id

Money is Decimal from end to end: these services refuse a float (TypeError), anything with
more than two decimals and zero or negative amounts (ValidationFailed), and the database refuses
non-positive amounts on its own (check constraints).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from csgrants.budgets.models import Allocation, FrameworkAgreement, LedgerEntry, ProviderBudget
from csgrants.budgets.selectors import application_open_commitment, provider_balance, reserve_free
from csgrants.catalogue.bounds import check_date
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.audit import audit_record
from csgrants.core.errors import BudgetExhausted, ValidationFailed
from csgrants.core.money import ZERO, format_eur, money_argument
from csgrants.core.transactions import insert_if_absent, service_atomic


def _ledger_allocate(allocation: Allocation, actor) -> LedgerEntry:
    """The ledger line that makes an allocation to a provider count in its balances."""
    assert allocation.provider is not None, "a reserve has no ledger line until it is assigned"
    return LedgerEntry.objects.create(
        provider=allocation.provider,
        kind="allocate",
        amount_eur=allocation.amount_eur,
        entry_date=allocation.allocated_on,
        allocation=allocation,
        actor=actor,
        note=allocation.note,
    )


def _money(amount, field: str = "amount_eur", *, allow_zero: bool = False) -> Decimal:
    # A float in a money path is a bug, not bad input: fail loudly.
    if isinstance(amount, bool | float) or not isinstance(amount, Decimal | int):
        raise TypeError(f"{field} must be a Decimal, not {type(amount).__name__}")
    if Decimal(amount).is_signed() and amount != 0:
        raise ValidationFailed(_("The amount must be positive."), field=field)
    amount = money_argument(amount, field=field)
    if amount == 0 and not allow_zero:
        raise ValidationFailed(_("The amount must be positive."), field=field)
    return amount


def _eur(amount: Decimal) -> str:
    return f"{amount:.2f}"


# --- the lock row ----------------------------------------------------------------------------


def ensure_budget_row(provider) -> None:
    """Create the provider's lock row if it is missing, without racing: a concurrent creator
    makes our insert do nothing, and then the row exists, which is all we wanted."""
    _ensure_row(provider.pk)


def _ensure_row(provider_id: int) -> None:
    if ProviderBudget.objects.filter(provider_id=provider_id).exists():
        return
    insert_if_absent(ProviderBudget(provider_id=provider_id), unique=("provider",))


def _lock(*providers) -> None:
    """Lock the providers' budget rows, in ascending id order (see the module docstring)."""
    for pk in sorted({p.pk for p in providers if p is not None}):
        _ensure_row(pk)
        list(ProviderBudget.objects.select_for_update().filter(provider_id=pk))


# --- agreements and allocations --------------------------------------------------------------


@service_atomic
def agreement_create(
    *,
    actor,
    reference: str,
    start_date: date,
    end_date: date | None = None,
    procurement_round: str = "",
    providers: Iterable = (),
    initial_allocations: Iterable[tuple[ServiceProvider, Decimal]] = (),
    reserve_eur: Decimal | None = None,
    allocated_on: date | None = None,
    note: str = "",
) -> FrameworkAgreement:
    """A new framework agreement with its providers, the initial allocation of each provider
    (pairs of provider and amount) and optionally a reserve for providers still to come."""
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed(_("The reference is required."), field="reference")
    if FrameworkAgreement.objects.filter(reference=reference).exists():
        raise ValidationFailed(
            _("A framework agreement with this reference exists."), field="reference"
        )
    check_date(start_date, field="start_date")  # an agreement's end may lie years ahead
    if end_date is not None and end_date < start_date:
        raise ValidationFailed(_("The end lies before the start."), field="end_date")
    initial = [(p, _money(a, "initial_allocations")) for p, a in initial_allocations]
    seen = set()
    for p, _a in initial:
        if p.pk in seen:
            raise ValidationFailed(
                _("%(provider)s appears twice.") % {"provider": p}, field="initial_allocations"
            )
        seen.add(p.pk)
    members = {p.pk: p for p in providers}
    members.update({p.pk: p for p, _a in initial})
    agreement = FrameworkAgreement.objects.create(
        reference=reference,
        procurement_round=procurement_round.strip(),
        start_date=start_date,
        end_date=end_date,
    )
    agreement.providers.set(list(members.values()))
    audit_record(
        actor=actor,
        action="budget.agreement_create",
        obj=agreement,
        after={
            "reference": reference,
            "procurement_round": agreement.procurement_round,
            "start_date": start_date,
            "end_date": end_date,
            "providers": sorted(str(p) for p in members.values()),
        },
    )
    on = allocated_on or start_date
    for provider, amount in sorted(initial, key=lambda pa: pa[0].pk):
        allocation_create(
            actor=actor,
            provider=provider,
            amount_eur=amount,
            allocated_on=on,
            kind=Allocation.Kind.INITIAL,
            note=note,
            agreement=agreement,
        )
    if reserve_eur:
        allocation_create(
            actor=actor,
            provider=None,
            amount_eur=reserve_eur,
            allocated_on=on,
            kind=Allocation.Kind.RESERVE,
            note=note,
            agreement=agreement,
        )
    return agreement


@service_atomic
def agreement_add_provider(*, actor, agreement: FrameworkAgreement, provider) -> FrameworkAgreement:
    if not agreement.providers.filter(pk=provider.pk).exists():
        agreement.providers.add(provider)
        ensure_budget_row(provider)
        audit_record(
            actor=actor,
            action="budget.agreement_add_provider",
            obj=agreement,
            after={"provider": str(provider)},
        )
    return agreement


@service_atomic
def allocation_create(
    *,
    actor,
    provider,
    amount_eur: Decimal,
    allocated_on: date,
    kind: str = Allocation.Kind.INITIAL,
    note: str = "",
    agreement: FrameworkAgreement | None = None,
    submission_token: UUID | None = None,
) -> Allocation:
    """Give a provider money (initial or top-up), or put money in a reserve (no provider).

    `submission_token` is the one-time token of the form that asked for it: the same form sent
    again returns the allocation it made the first time and books nothing; the same token with
    other values is refused (SUBMISSION_REUSED)."""
    amount_eur = _money(amount_eur)
    check_date(allocated_on, field="allocated_on")
    if kind not in Allocation.Kind.values:
        raise ValidationFailed(_("Unknown kind %(kind)s.") % {"kind": kind}, field="kind")
    if kind == Allocation.Kind.RESERVE and provider is not None:
        raise ValidationFailed(
            _("A reserve belongs to no provider until it is assigned."), field="provider"
        )
    if provider is None and kind != Allocation.Kind.RESERVE:
        raise ValidationFailed(_("Only a reserve has no provider."), field="provider")
    if provider is not None:
        _lock(provider)  # also orders two sends of one form: the second sees the first's row
    fields = dict(
        agreement=agreement,
        provider=provider,
        amount_eur=amount_eur,
        allocated_on=allocated_on,
        kind=kind,
        note=note.strip(),
    )
    allocation = Allocation(**fields, submission_token=submission_token)
    if submission_token is None:
        allocation.save()
    elif not insert_if_absent(allocation, unique=("submission_token",)):
        # The same form was sent before (or beside this send, and that one committed): answer
        # with what it booked, and book nothing.
        return _same_submission(Allocation.objects.get(submission_token=submission_token), fields)
    if provider is not None:
        if agreement is not None:
            agreement.providers.add(provider)
        _ledger_allocate(allocation, actor)
    audit_record(
        actor=actor,
        action="budget.allocate",
        obj=allocation,
        after={
            "provider": str(provider) if provider else None,
            "agreement": str(agreement) if agreement else None,
            "amount_eur": _eur(amount_eur),
            "kind": kind,
            "allocated_on": allocated_on,
            "note": allocation.note,
        },
    )
    return allocation


def _same_submission(earlier: Allocation, fields: dict) -> Allocation:
    """The allocation an earlier send of the same form made, when it asked for the same."""
    if any(getattr(earlier, name) != value for name, value in fields.items()):
        raise ValidationFailed(
            _(
                "This form was already sent with other values. Open the form again to record "
                "another amount."
            ),
            code="SUBMISSION_REUSED",
        )
    return earlier


def allocation_top_up(
    *,
    actor,
    provider,
    amount_eur: Decimal,
    allocated_on: date,
    note: str = "",
    agreement=None,
    submission_token: UUID | None = None,
) -> Allocation:
    """Extra money for one provider (e.g. EUR 500,000; EUR 300,000 early 2023)."""
    if provider is None:
        raise ValidationFailed(_("A top-up is for a provider."), field="provider")
    return allocation_create(
        actor=actor,
        provider=provider,
        amount_eur=amount_eur,
        allocated_on=allocated_on,
        kind=Allocation.Kind.TOP_UP,
        note=note,
        agreement=agreement,
        submission_token=submission_token,
    )


@service_atomic
def reserve_assign(
    *,
    actor,
    reserve: Allocation,
    provider,
    amount_eur: Decimal,
    allocated_on: date,
    note: str = "",
    kind: str | None = None,
) -> Allocation:
    """Move part of a reserve to a provider: a new allocation for the provider (initial if it is
    the provider's first, top-up otherwise) that points back at the reserve. The reserve row is
    locked first so two assignments cannot both take its last euro; the reserve's free amount is
    its amount minus its assignments, so nothing is edited and every euro is counted once."""
    amount_eur = _money(amount_eur)
    check_date(allocated_on, field="allocated_on")
    if provider is None:
        raise ValidationFailed(_("Choose the provider that receives the money."), field="provider")
    reserve = Allocation.objects.select_for_update().get(pk=reserve.pk)
    if reserve.kind != Allocation.Kind.RESERVE:
        raise ValidationFailed(_("Only a reserve can be assigned."), field="reserve")
    if allocated_on < reserve.allocated_on:
        raise ValidationFailed(_("An assignment cannot predate its reserve."), field="allocated_on")
    free = reserve_free(reserve)
    if amount_eur > free:
        raise BudgetExhausted(
            _("The reserve has %(free)s free, not %(amount)s.")
            % {"free": format_eur(free), "amount": format_eur(amount_eur)},
            field="amount_eur",
        )
    _lock(provider)
    if kind is None:
        has_money = Allocation.objects.filter(provider=provider).exists()
        kind = Allocation.Kind.TOP_UP if has_money else Allocation.Kind.INITIAL
    if kind not in (Allocation.Kind.INITIAL, Allocation.Kind.TOP_UP):
        raise ValidationFailed(
            _("An assignment is an initial allocation or a top-up."), field="kind"
        )
    allocation = Allocation.objects.create(
        agreement=reserve.agreement,
        provider=provider,
        reserve=reserve,
        amount_eur=amount_eur,
        allocated_on=allocated_on,
        kind=kind,
        note=note.strip(),
    )
    if reserve.agreement is not None:
        reserve.agreement.providers.add(provider)
    _ledger_allocate(allocation, actor)
    audit_record(
        actor=actor,
        action="budget.reserve_assign",
        obj=allocation,
        before={"reserve": reserve.pk, "reserve_free_eur": _eur(free)},
        after={
            "reserve": reserve.pk,
            "provider": str(provider),
            "amount_eur": _eur(amount_eur),
            "kind": kind,
            "allocated_on": allocated_on,
            "reserve_free_eur": _eur(free - amount_eur),
        },
    )
    return allocation


# --- commitments, releases, payments -----------------------------------------------------------


def budget_commit(
    *, actor, provider=None, amount_eur: Decimal, on: date, application=None, amendment=None
) -> LedgerEntry | None:
    """Commit `amount_eur` against the provider's available budget; BudgetExhausted (and nothing
    written) if it does not fit. Runs inside the approval's transaction, which it requires.
    For an amendment, the line also points at the amendment's application so that a later
    withdrawal or stop releases the file's whole commitment."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("budget_commit must run inside the approval's transaction")
    amount_eur = _money(amount_eur, allow_zero=True)
    if amendment is not None and application is None:
        application = amendment.application
    if provider is None:
        if application is None:
            raise ValueError("budget_commit needs a provider or an application")
        provider = application.provider
    if application is not None and application.provider_id != provider.pk:
        raise ValueError("the application belongs to another provider")
    if amount_eur == ZERO:
        return None
    _lock(provider)
    available = provider_balance(provider).available
    if amount_eur > available:
        raise BudgetExhausted(
            _("The available budget of %(available)s does not cover %(amount)s.")
            % {"available": format_eur(available), "amount": format_eur(amount_eur)},
            field="subsidy_eur",
        )
    entry = LedgerEntry.objects.create(
        provider=provider,
        kind="commit",
        amount_eur=amount_eur,
        entry_date=on,
        application=application,
        amendment=amendment,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="budget.commit",
        obj=entry,
        before={"available_eur": _eur(available)},
        after={
            "provider": str(provider),
            "application": getattr(application, "reference", None),
            "amendment": getattr(amendment, "pk", None),
            "amount_eur": _eur(amount_eur),
            "available_eur": _eur(available - amount_eur),
        },
    )
    return entry


def budget_release_application(*, actor, application, on: date, note: str = "") -> Decimal:
    """Release whatever is still committed for the file (withdrawal, stop); returns it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("budget_release_application must run inside the caller's transaction")
    _lock(application.provider)
    open_amount = application_open_commitment(application)
    if open_amount > ZERO:
        entry = LedgerEntry.objects.create(
            provider=application.provider,
            kind="release",
            amount_eur=open_amount,
            entry_date=on,
            application=application,
            actor=actor,
            note=note,
        )
        audit_record(
            actor=actor,
            action="budget.release",
            obj=entry,
            after={
                "application": application.reference,
                "amount_eur": _eur(open_amount),
                "note": note,
            },
        )
    return open_amount


def budget_realise_application(*, actor, application, amount_eur: Decimal, on: date) -> Decimal:
    """Pay `amount_eur` out of the file's commitment and release the unpaid rest (underspend);
    returns the amount released. A payment above the commitment is refused."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("budget_realise_application must run inside the caller's transaction")
    amount_eur = _money(amount_eur, allow_zero=True)
    _lock(application.provider)
    open_amount = application_open_commitment(application)
    if amount_eur > open_amount:
        raise BudgetExhausted(
            _("The payment of %(amount)s exceeds the commitment of %(open)s.")
            % {"amount": format_eur(amount_eur), "open": format_eur(open_amount)},
            field="amount_eur",
        )
    if amount_eur > ZERO:
        entry = LedgerEntry.objects.create(
            provider=application.provider,
            kind="realise",
            amount_eur=amount_eur,
            entry_date=on,
            application=application,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="budget.realise",
            obj=entry,
            after={"application": application.reference, "amount_eur": _eur(amount_eur)},
        )
    rest = open_amount - amount_eur
    if rest > ZERO:
        entry = LedgerEntry.objects.create(
            provider=application.provider,
            kind="release",
            amount_eur=rest,
            entry_date=on,
            application=application,
            actor=actor,
            note="underspend",
        )
        audit_record(
            actor=actor,
            action="budget.release",
            obj=entry,
            after={
                "application": application.reference,
                "amount_eur": _eur(rest),
                "note": "underspend",
            },
        )
    return rest
