import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from csgrants.applications import services as app_services
from csgrants.budgets import selectors
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.selectors import Balance, Month, Trend

D = Decimal


def trend(available, nets, today=dt.date(2025, 6, 15)):
    months = [Month(dt.date(2024, 7, 1), D(n), D("0.00")) for n in nets]
    return Trend(months=months, available=D(available), today=today)


def test_balance_formula_counts_a_payment_once():
    # 100 allocated; 40 committed; 30 paid out of it and 10 released: 70 remains available.
    b = Balance(allocated=D("100"), committed=D("40"), released=D("10"), realised=D("30"))
    assert b.available == D("60") + D("10")
    assert b.open_commitments == 0
    assert b.allocated == b.open_commitments + b.paid + b.available


def test_run_out_date_at_the_current_pace():
    t = trend("12000.00", ["1000.00"] * 12)
    assert t.pace_per_month == D("1000.00")
    assert t.months_left == D("12.0")
    assert t.run_out_on == dt.date(2025, 6, 15) + dt.timedelta(days=365)


def test_no_run_out_without_use_and_exhausted_when_nothing_is_left():
    assert trend("5000.00", ["0.00"] * 12).run_out_on is None
    # Releases outweigh commitments: the budget grows, it does not run out.
    assert trend("5000.00", ["-10.00"] * 12).run_out_on is None
    t = trend("0.00", ["100.00"] * 12)
    assert t.exhausted and t.run_out_on == t.today


def test_pace_averages_over_the_whole_window():
    t = trend("6000.00", ["0.00"] * 11 + ["1200.00"])
    assert t.pace_per_month == D("100.00")
    assert t.months_left == D("60.0")


@pytest.mark.django_db
def test_trend_groups_commitments_per_month(funded, make_application):
    provider = funded
    for day in [dt.date(2024, 11, 4), dt.date(2025, 2, 3), dt.date(2025, 2, 10)]:
        with time_machine.travel(day):
            make_application("approved")
    with time_machine.travel(dt.date(2025, 3, 3)):
        app = make_application("approved")
        app_services.application_withdraw(actor=app.created_by, application=app)
    t = selectors.provider_trend(provider, today=dt.date(2025, 3, 20))
    assert [m.start for m in t.months][0] == dt.date(2024, 4, 1)
    assert [m.start for m in t.months][-1] == dt.date(2025, 3, 1)
    by_month = {m.start: m for m in t.months}
    subsidy = app.subsidy_eur
    assert by_month[dt.date(2024, 11, 1)].committed == subsidy
    assert by_month[dt.date(2025, 2, 1)].committed == 2 * subsidy
    assert by_month[dt.date(2025, 3, 1)].committed == subsidy
    assert by_month[dt.date(2025, 3, 1)].released == subsidy
    assert t.pace_per_month == (3 * subsidy / 12).quantize(D("0.01"))
    assert t.available == D("1000000.00") - 3 * subsidy
    # A window that ends before the last approvals does not see them.
    early = selectors.provider_trend(provider, today=dt.date(2024, 12, 31))
    assert sum(m.committed for m in early.months) == subsidy


@pytest.mark.django_db
def test_per_year_flows_and_positions(funded, allocate, make_application, reviewer):
    provider = funded  # EUR 1,000,000 on 01/01/2020
    allocate(provider, "50000.00", on=dt.date(2024, 1, 2), kind="top_up")
    with time_machine.travel(dt.date(2023, 5, 2)):
        a = make_application("approved")
    with time_machine.travel(dt.date(2024, 5, 2)):
        app_services.application_stop(actor=reviewer, application=a, reasons=["NOT_SME"])
    years = {y: (flows, pos) for y, flows, pos in selectors.provider_years(provider)}
    assert set(years) == {2020, 2023, 2024}
    assert years[2023][0].committed == a.subsidy_eur
    assert years[2023][0].allocated == 0
    assert years[2023][1].available == D("1000000.00") - a.subsidy_eur
    assert years[2024][0].released == a.subsidy_eur
    assert years[2024][0].allocated == D("50000.00")
    assert years[2024][1].available == D("1050000.00")
    assert selectors.provider_balance(provider, year=2020).allocated == D("1000000.00")
    assert selectors.provider_balance(provider, until=dt.date(2023, 12, 31)) == years[2023][1]
    assert selectors.ledger_years() == [2020, 2023, 2024]


@pytest.mark.django_db
@pytest.mark.parametrize("figure", list(selectors.FIGURES))
def test_every_figure_is_the_sum_of_its_lines(figure, funded, make_application, admin_user):
    from django.db import transaction

    from csgrants.budgets import services

    provider = funded
    a = make_application("approved")
    make_application("approved")
    with transaction.atomic():
        services.budget_realise_application(
            actor=admin_user, application=a, amount_eur=D("100.00"), on=dt.date(2025, 1, 1)
        )
    qs = selectors.ledger_lines(provider=provider, figure=figure)
    lines, page_total = selectors.figure_lines(qs, figure)
    assert selectors.figure_total(qs, figure) == page_total
    assert page_total == selectors.provider_balance(provider).figure(figure)
    assert all(line.entry.kind in selectors.FIGURES[figure] for line in lines)
    assert LedgerEntry.objects.filter(
        provider=provider, kind__in=list(selectors.FIGURES[figure])
    ).count() == len(lines)
