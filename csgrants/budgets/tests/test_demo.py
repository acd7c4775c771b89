import datetime as dt
from decimal import Decimal

import pytest

from csgrants.budgets import selectors, services
from csgrants.budgets.demo import seed_demo_budgets
from csgrants.budgets.models import Allocation, FrameworkAgreement
from csgrants.catalogue.models import ServiceProvider

D = Decimal


@pytest.fixture
def nine(db):
    return [
        ServiceProvider.objects.create(code=f"P{i:02d}", name=f"Provider {i}") for i in range(1, 10)
    ]


@pytest.mark.django_db
def test_demo_budgets_tell_the_domain_story(nine):
    made = seed_demo_budgets(nine)
    assert made == {"initial": 9, "top_up": 2, "reserve": 1}
    agreement = FrameworkAgreement.objects.get(reference="RO-2019-CS")
    assert agreement.providers.count() == 9
    initial = Allocation.objects.filter(kind="initial", agreement=agreement)
    assert sum(a.amount_eur for a in initial) == D("4000000.00")
    top_ups = sorted(
        Allocation.objects.filter(kind="top_up").values_list("amount_eur", "allocated_on")
    )
    assert [t[0] for t in top_ups] == [D("300000.00"), D("500000.00")]
    assert all(t[1].year == 2023 and t[1].month <= 3 for t in top_ups)
    totals = selectors.scheme_totals()
    assert totals.providers.allocated == D("4800000.00")
    assert totals.reserve_free == D("2000000.00")
    assert totals.budget == D("6800000.00")


@pytest.mark.django_db
def test_demo_budgets_are_idempotent(nine):
    seed_demo_budgets(nine)
    assert seed_demo_budgets(nine) == {"initial": 0, "top_up": 0, "reserve": 0}
    assert selectors.scheme_totals().budget == D("6800000.00")


@pytest.mark.django_db
def test_demo_budgets_skip_what_the_history_import_brought(nine, admin_user):
    # The history fixture may carry the 2019 allocations and a top-up already.
    for p in nine:
        services.allocation_create(
            actor=admin_user,
            provider=p,
            amount_eur=D("444444.44"),
            allocated_on=dt.date(2019, 12, 1),
            note="framework agreement 2019",
        )
    services.allocation_top_up(
        actor=admin_user,
        provider=nine[0],
        amount_eur=D("500000.00"),
        allocated_on=dt.date(2023, 2, 1),
    )
    made = seed_demo_budgets(nine)
    assert made == {"initial": 0, "top_up": 1, "reserve": 1}
    assert Allocation.objects.filter(kind="top_up", amount_eur=D("500000.00")).count() == 1


@pytest.mark.django_db
def test_demo_budgets_with_fewer_providers_still_divide_four_million(db):
    providers = [ServiceProvider.objects.create(code=f"Q{i}", name=f"Q{i}") for i in range(7)]
    seed_demo_budgets(providers)
    assert sum(a.amount_eur for a in Allocation.objects.filter(kind="initial")) == D("4000000.00")
