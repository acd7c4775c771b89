"""Demo budgets, as the domain brief tells them: the 2019 framework agreement divides
EUR 4,000,000 over nine providers; early 2023 two providers receive top-ups of EUR 500,000 and
EUR 300,000; EUR 2,000,000 is reserved for providers from a new procurement.

Idempotent, and polite to other sources of the same facts (the history import may carry the
allocations too): each part is skipped when it exists, keyed by agreement reference, by note and
by kind and amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from csgrants.budgets import services
from csgrants.budgets.models import Allocation, FrameworkAgreement
from csgrants.core.money import CENT

AGREEMENT_2019 = "RO-2019-CS"
AGREEMENT_2023 = "RO-2023-CS"
INITIAL_NOTE = "framework agreement 2019"
INITIAL_TOTAL = Decimal("4000000.00")
# Uneven, as in a real procurement; adds up to EUR 4,000,000.
INITIAL_SHARES = [600_000, 550_000, 500_000, 450_000, 450_000, 400_000, 400_000, 350_000, 300_000]
TOP_UPS = [
    # (provider index, amount, date, note)
    (0, Decimal("500000.00"), date(2023, 1, 16), "top-up 2023 (EUR 500,000)"),
    (1, Decimal("300000.00"), date(2023, 3, 1), "top-up 2023 (EUR 300,000)"),
]
RESERVE = Decimal("2000000.00")
RESERVE_NOTE = "reserve for new providers"


def _shares(n: int) -> list[Decimal]:
    if n == len(INITIAL_SHARES):
        return [Decimal(s).quantize(CENT) for s in INITIAL_SHARES]
    each = (INITIAL_TOTAL / n).quantize(CENT, rounding="ROUND_DOWN")
    shares = [each] * n
    shares[0] += INITIAL_TOTAL - each * n
    return shares


@transaction.atomic
def seed_demo_budgets(providers, *, actor=None) -> dict[str, int]:
    """Create what is missing; returns how many allocations of each part were made."""
    providers = list(providers)
    made = {"initial": 0, "top_up": 0, "reserve": 0}
    if not providers:
        return made
    have_initial = (
        FrameworkAgreement.objects.filter(reference=AGREEMENT_2019).exists()
        or Allocation.objects.filter(note__iexact=INITIAL_NOTE).exists()
    )
    if not have_initial:
        services.agreement_create(
            actor=actor,
            reference=AGREEMENT_2019,
            procurement_round="2019",
            start_date=date(2019, 12, 1),
            end_date=date(2025, 12, 31),
            initial_allocations=list(zip(providers, _shares(len(providers)), strict=True)),
            note=INITIAL_NOTE,
        )
        made["initial"] = len(providers)
    agreement = FrameworkAgreement.objects.filter(reference=AGREEMENT_2019).first()
    for index, amount, on, note in TOP_UPS:
        provider = providers[index % len(providers)]
        exists = (
            Allocation.objects.filter(note=note).exists()
            or Allocation.objects.filter(
                kind=Allocation.Kind.TOP_UP, amount_eur=amount, allocated_on__year=on.year
            ).exists()
        )
        if not exists:
            services.allocation_top_up(
                actor=actor,
                provider=provider,
                amount_eur=amount,
                allocated_on=on,
                note=note,
                agreement=agreement,
            )
            made["top_up"] += 1
    have_reserve = (
        FrameworkAgreement.objects.filter(reference=AGREEMENT_2023).exists()
        or Allocation.objects.filter(kind=Allocation.Kind.RESERVE).exists()
    )
    if not have_reserve:
        services.agreement_create(
            actor=actor,
            reference=AGREEMENT_2023,
            procurement_round=RESERVE_NOTE,
            start_date=date(2023, 6, 30),
            reserve_eur=RESERVE,
            note=RESERVE_NOTE,
        )
        made["reserve"] = 1
    return made
