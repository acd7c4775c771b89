"""Budget services. Approval commits in the caller's transaction after locking the provider's
budget row, so concurrent approvals are serialised and can never over-commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from csgrants.budgets.models import Allocation, LedgerEntry, ProviderBudget
from csgrants.budgets.selectors import application_open_commitment, provider_balance
from csgrants.core.audit import audit_record
from csgrants.core.errors import BudgetExhausted, ValidationFailed
from csgrants.core.money import ZERO, format_eur


def _lock(provider) -> ProviderBudget:
    ProviderBudget.objects.get_or_create(provider=provider)
    return ProviderBudget.objects.select_for_update().get(provider=provider)


@transaction.atomic
def allocation_create(
    *,
    actor,
    provider,
    amount_eur: Decimal,
    allocated_on: date,
    kind="initial",
    note="",
    agreement=None,
) -> Allocation:
    if amount_eur <= 0:
        raise ValidationFailed("an allocation must be positive", field="amount_eur")
    if provider is None and kind != Allocation.Kind.RESERVE:
        raise ValidationFailed("only a reserve has no provider", field="provider")
    allocation = Allocation.objects.create(
        agreement=agreement,
        provider=provider,
        amount_eur=amount_eur,
        allocated_on=allocated_on,
        kind=kind,
        note=note,
    )
    if provider is not None:
        _lock(provider)
        LedgerEntry.objects.create(
            provider=provider,
            kind="allocate",
            amount_eur=amount_eur,
            entry_date=allocated_on,
            allocation=allocation,
            actor=actor,
            note=note,
        )
    audit_record(
        actor=actor,
        action="budget.allocate",
        obj=allocation,
        after={"provider": str(provider), "amount_eur": f"{amount_eur:.2f}", "kind": kind},
    )
    return allocation


def budget_commit(
    *, actor, provider, amount_eur: Decimal, on: date, application=None, amendment=None
) -> LedgerEntry | None:
    """Commit `amount_eur` against the provider's available budget; BudgetExhausted if it does not
    fit. Must run inside the approval's transaction."""
    if amount_eur <= 0:
        return None
    _lock(provider)
    available = provider_balance(provider).available
    if amount_eur > available:
        raise BudgetExhausted(
            f"available budget {format_eur(available)} does not cover {format_eur(amount_eur)}"
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
        after={"application": str(application or ""), "amount_eur": f"{amount_eur:.2f}"},
    )
    return entry


def budget_release_application(*, actor, application, on: date, note="") -> Decimal:
    """Release whatever is still committed for the application (withdrawal, stop)."""
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
            after={"application": application.reference, "amount_eur": f"{open_amount:.2f}"},
        )
    return open_amount


def budget_realise_application(*, actor, application, amount_eur: Decimal, on: date) -> None:
    """Pay `amount_eur` out of the application's commitment and release the rest."""
    _lock(application.provider)
    open_amount = application_open_commitment(application)
    if amount_eur > open_amount:
        raise BudgetExhausted(
            f"payment {format_eur(amount_eur)} exceeds the commitment {format_eur(open_amount)}"
        )
    if amount_eur > 0:
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
            after={"application": application.reference, "amount_eur": f"{amount_eur:.2f}"},
        )
    rest = open_amount - amount_eur
    if rest > 0:
        LedgerEntry.objects.create(
            provider=application.provider,
            kind="release",
            amount_eur=rest,
            entry_date=on,
            application=application,
            actor=actor,
            note="underspend",
        )
