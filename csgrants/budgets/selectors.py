from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from csgrants.budgets.models import LedgerEntry
from csgrants.core.money import ZERO


@dataclass(frozen=True)
class Balance:
    allocated: Decimal
    committed: Decimal
    released: Decimal
    realised: Decimal

    @property
    def open_commitments(self) -> Decimal:
        """Committed and not yet paid or released."""
        return self.committed - self.released - self.realised

    @property
    def available(self) -> Decimal:
        # A payment turns part of a commitment into a realisation and releases the rest, so the
        # money out of reach is what is still committed plus what was paid:
        # allocated - open commitments - realised = allocated - committed + released.
        return self.allocated - self.committed + self.released


def _sums(qs) -> Balance:
    agg = qs.aggregate(
        **{
            k: Sum("amount_eur", filter=Q(kind=k))
            for k in ("allocate", "commit", "release", "realise")
        }
    )
    return Balance(
        allocated=agg["allocate"] or ZERO,
        committed=agg["commit"] or ZERO,
        released=agg["release"] or ZERO,
        realised=agg["realise"] or ZERO,
    )


def provider_balance(provider, *, year: int | None = None) -> Balance:
    qs = LedgerEntry.objects.filter(provider=provider)
    if year is not None:
        qs = qs.filter(entry_date__year=year)
    return _sums(qs)


def application_open_commitment(application) -> Decimal:
    b = _sums(LedgerEntry.objects.filter(application=application))
    return b.open_commitments
