"""Any sequence of approvals, withdrawals, stops, payments and top-ups keeps the books straight:
after every step each balance equals the sum of its ledger lines, available never goes below
zero, and it equals the figure of an independent model that tracks each file's commitment and
payment instead of ledger lines."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from conftest import DEFAULT_SIGNATORY, confirm
from csgrants.accounts.models import Role
from csgrants.applications import services as app_services
from csgrants.budgets import services
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.selectors import application_open_commitment, provider_balance
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.errors import BudgetExhausted

D = Decimal
COSTS = ["9200.00", "17500.33", "24000.00", "35000.00", "12345.67"]
DECL = {"negative_equity": False, "public_participation_pct": 0}
TODAY = dt.date(2025, 3, 3)
_serial = itertools.count()


class BudgetMachine(RuleBasedStateMachine):
    @initialize(initial=st.sampled_from(["0.00", "20000.00", "50000.00", "100000.00"]))
    def setup(self, initial):
        from conftest import make_user
        from csgrants.budgets.tests.conftest import enterprise_number

        n = next(_serial)
        self.enterprise_number = enterprise_number
        self.provider = ServiceProvider.objects.create(code=f"SM{n}", name=f"Machine {n}")
        self.prov_user = make_user(f"smp{n}", Role.PROVIDER, self.provider)
        self.staff = make_user(f"sms{n}", Role.REVIEWER)
        self.manager = make_user(f"smb{n}", Role.BUDGET_MANAGER)
        # The independent model: allocated total and, per file, (state, committed, paid).
        self.allocated = D("0.00")
        self.files: dict[int, dict] = {}
        self.apps = {}
        if D(initial):
            self._allocate(D(initial))

    def _allocate(self, amount):
        services.allocation_create(
            actor=self.manager, provider=self.provider, amount_eur=amount, allocated_on=TODAY
        )
        self.allocated += amount

    def _model_available(self):
        out = D("0.00")
        for f in self.files.values():
            if f["state"] == "approved":
                out += f["committed"]
            elif f["state"] == "paid":
                out += f["paid"]
        return self.allocated - out

    def _pick(self, state, index):
        pks = sorted(pk for pk, f in self.files.items() if f["state"] == state)
        return pks[index % len(pks)] if pks else None

    @rule(cost=st.sampled_from(COSTS))
    def submit(self, cost):
        app = app_services.application_create(
            actor=self.prov_user,
            provider=self.provider,
            enterprise_number=self.enterprise_number(next(_serial)),
            enterprise_name="E",
            enterprise_kind="kmo",
            postal_code="9000",
            package="MEDIUM",
            cost_eur=cost,
            declaration=DECL,
            signatory=DEFAULT_SIGNATORY,
        )
        app = confirm(app_services.application_submit(actor=self.prov_user, application=app))
        self.apps[app.pk] = app
        self.files[app.pk] = {
            "state": "submitted",
            "subsidy": app.subsidy_eur,
            "committed": D("0.00"),
            "paid": D("0.00"),
        }

    @rule(index=st.integers(min_value=0, max_value=50))
    def approve(self, index):
        pk = self._pick("submitted", index)
        if pk is None:
            return
        f = self.files[pk]
        fits = f["subsidy"] <= self._model_available()
        try:
            app_services.decision_record(
                actor=self.staff, application=self.apps[pk], outcome="approved"
            )
        except BudgetExhausted:
            assert not fits, "refused although the model says it fits"
            return
        assert fits, "approved although the model says it does not fit"
        f["state"], f["committed"] = "approved", f["subsidy"]

    @rule(index=st.integers(min_value=0, max_value=50))
    def withdraw(self, index):
        pk = self._pick("approved", index)
        if pk is None:
            return
        app_services.application_withdraw(actor=self.prov_user, application=self.apps[pk])
        self.files[pk]["state"] = "withdrawn"

    @rule(index=st.integers(min_value=0, max_value=50))
    def stop(self, index):
        pk = self._pick("approved", index)
        if pk is None:
            return
        app_services.application_stop(
            actor=self.staff, application=self.apps[pk], reasons=["NOT_SME"]
        )
        self.files[pk]["state"] = "stopped"

    @rule(
        index=st.integers(min_value=0, max_value=50), share=st.integers(min_value=0, max_value=100)
    )
    def pay(self, index, share):
        pk = self._pick("approved", index)
        if pk is None:
            return
        f = self.files[pk]
        paid = (f["committed"] * share / 100).quantize(D("0.01"), rounding="ROUND_DOWN")
        # What the payment service does: realise the paid amount, release the rest.
        with transaction.atomic():
            services.budget_realise_application(
                actor=self.manager, application=self.apps[pk], amount_eur=paid, on=TODAY
            )
        f["state"], f["paid"] = "paid", paid

    @rule(amount=st.decimals(min_value=D("0.01"), max_value=D("60000.00"), places=2))
    def top_up(self, amount):
        services.allocation_top_up(
            actor=self.manager, provider=self.provider, amount_eur=amount, allocated_on=TODAY
        )
        self.allocated += amount

    @invariant()
    def books_balance(self):
        if not hasattr(self, "provider"):
            return
        b = provider_balance(self.provider)
        sums = {k: D("0.00") for k in ("allocate", "commit", "release", "realise")}
        for kind, amount in LedgerEntry.objects.filter(provider=self.provider).values_list(
            "kind", "amount_eur"
        ):
            assert type(amount) is Decimal and amount > 0
            sums[kind] += amount
        assert (b.allocated, b.committed, b.released, b.realised) == (
            sums["allocate"],
            sums["commit"],
            sums["release"],
            sums["realise"],
        )
        assert b.available >= 0
        assert b.available == self._model_available()
        assert b.allocated == self.allocated
        assert b.allocated == b.open_commitments + b.paid + b.available
        for pk, f in self.files.items():
            expected = f["committed"] if f["state"] == "approved" else D("0.00")
            assert application_open_commitment(self.apps[pk]) == expected


@pytest.mark.django_db
def test_every_balance_is_the_sum_of_its_ledger_lines():
    with time_machine.travel(TODAY):
        run_state_machine_as_test(
            BudgetMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            ),
        )
