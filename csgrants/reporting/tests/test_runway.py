"""The budget runway rules of contracts/insight.md, through GET /api/v1/statistics/runway/ (and
the pure forecast under hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.services import allocation_create
from csgrants.reporting import runway as runway_module
from csgrants.reporting.runway import forecast

AS_OF = dt.date(2026, 12, 2)  # a Wednesday
URL = "/api/v1/statistics/runway/"


@pytest.fixture
def ledger(provider, admin_user, make_application):
    """Write the provider's ledger: an allocation and commit/release lines on given dates."""
    source = make_application("draft")

    def allocate(amount, on):
        allocation_create(
            actor=admin_user, provider=provider, amount_eur=Decimal(amount), allocated_on=on
        )

    def line(kind, amount, on):
        LedgerEntry.objects.create(
            provider=provider,
            kind=kind,
            amount_eur=Decimal(amount),
            entry_date=on,
            application=source,
        )

    return allocate, line


@pytest.fixture
def staff(client, analyst):
    client.force_login(analyst)

    def get(as_of=AS_OF):
        r = client.get(URL, {"as_of": as_of.isoformat()})
        assert r.status_code == 200, r.content
        return r.json()

    return get


def _mine(body):
    (row,) = [p for p in body["providers"] if p["provider"] == "P1"]
    return row


def test_steady_weekly_commitments_run_out_at_the_arithmetic_date(ledger, staff):
    allocate, line = ledger
    allocate("1000000.00", AS_OF - dt.timedelta(days=400))
    for week in range(40):  # every Monday for 40 weeks up to as_of
        line("commit", "5000.00", AS_OF - dt.timedelta(days=2 + 7 * week))
    available = Decimal(1000000 - 40 * 5000)
    row = _mine(staff())
    assert row["available_eur"] == f"{available:.2f}"
    assert row["weekly_commitments_eur"] == {"weeks": 26, "mean": "5000.00"}
    assert row["reason"] is None
    expected = AS_OF + dt.timedelta(weeks=float(available / 5000))
    p50 = dt.date.fromisoformat(row["exhaustion"]["p50"])
    assert abs((p50 - expected).days) <= 7
    # Steady: every future is the same one.
    assert row["exhaustion"]["p10"] == row["exhaustion"]["p50"] == row["exhaustion"]["p90"]


def test_releases_are_netted(ledger, staff):
    allocate, line = ledger
    allocate("100000.00", AS_OF - dt.timedelta(days=400))
    for week in range(26):
        line("commit", "3000.00", AS_OF - dt.timedelta(days=1 + 7 * week))
        line("release", "1000.00", AS_OF - dt.timedelta(days=3 + 7 * week))
    row = _mine(staff())
    assert row["weekly_commitments_eur"]["mean"] == "2000.00"
    available = Decimal(100000 - 26 * 2000)
    expected = AS_OF + dt.timedelta(weeks=float(available / 2000))
    assert abs((dt.date.fromisoformat(row["exhaustion"]["p50"]) - expected).days) <= 7


def test_fewer_than_eight_weeks_is_not_enough_history(ledger, staff):
    allocate, line = ledger
    allocate("100000.00", AS_OF - dt.timedelta(weeks=7))
    for week in range(7):
        line("commit", "5000.00", AS_OF - dt.timedelta(days=7 * week))
    row = _mine(staff())
    assert row["exhaustion"] is None and row["reason"] == "not_enough_history"
    assert row["weekly_commitments_eur"]["weeks"] == 7
    # Eight full weeks later it is enough.
    row = _mine(staff(AS_OF + dt.timedelta(weeks=1)))
    assert row["reason"] is None and row["weekly_commitments_eur"]["weeks"] == 8


def test_nothing_committed_is_no_commitments(ledger, staff):
    allocate, line = ledger
    allocate("100000.00", AS_OF - dt.timedelta(days=400))
    line("commit", "5000.00", AS_OF - dt.timedelta(days=300))  # before the window
    line("commit", "1000.00", AS_OF - dt.timedelta(days=20))
    line("release", "1000.00", AS_OF - dt.timedelta(days=10))  # net zero in the window
    row = _mine(staff())
    assert row["exhaustion"] is None and row["reason"] == "no_commitments"


def test_no_budget_left_is_exhausted(ledger, staff):
    allocate, line = ledger
    allocate("50000.00", AS_OF - dt.timedelta(days=20))  # short history: exhausted still wins
    line("commit", "50000.00", AS_OF - dt.timedelta(days=5))
    row = _mine(staff())
    assert row["available_eur"] == "0.00" and row["reason"] == "exhausted"
    assert row["exhaustion"] == dict.fromkeys(("p10", "p50", "p90"), AS_OF.isoformat())


def test_lines_after_as_of_are_not_known_yet(ledger, staff):
    allocate, line = ledger
    allocate("50000.00", AS_OF - dt.timedelta(days=400))
    for week in range(26):
        line("commit", "1000.00", AS_OF - dt.timedelta(days=7 * week))
    line("commit", "24000.00", AS_OF + dt.timedelta(days=1))
    row = _mine(staff())
    assert row["available_eur"] == "24000.00" and row["reason"] is None


def test_same_data_same_answer_and_the_band(ledger, staff):
    allocate, line = ledger
    allocate("300000.00", AS_OF - dt.timedelta(days=400))
    amounts = [0, 12000, 0, 0, 30000, 4000, 0, 18000, 0, 0, 0, 25000, 9000]
    for week in range(26):
        amount = amounts[week % len(amounts)]
        if amount:
            line("commit", f"{amount}.00", AS_OF - dt.timedelta(days=4 + 7 * week))
    first, second = staff(), staff()
    assert first == second
    band = _mine(first)["exhaustion"]
    assert band["p10"] < band["p50"] < band["p90"]  # irregular weeks: a real band
    assert first["total"]["exhaustion"] == band  # one provider: the scheme is that provider


def test_scheme_total_adds_the_providers_and_the_free_reserve(ledger, staff, admin_user):
    allocate, line = ledger
    allocate("100000.00", AS_OF - dt.timedelta(days=400))
    allocation_create(
        actor=admin_user,
        provider=None,
        amount_eur=Decimal("2000000.00"),
        allocated_on=AS_OF - dt.timedelta(days=30),
        kind="reserve",
    )
    for week in range(26):
        line("commit", "1000.00", AS_OF - dt.timedelta(days=7 * week))
    body = staff()
    assert body["total"]["available_eur"] == "2074000.00"
    assert body["total"]["reserve_free_eur"] == "2000000.00"
    assert body["total"]["weekly_commitments_eur"] == {"weeks": 26, "mean": "1000.00"}


def test_staff_only_and_as_of_validated(client, provider_user, analyst):
    client.force_login(provider_user)
    assert client.get(URL).status_code == 403
    client.force_login(analyst)
    r = client.get(URL, {"as_of": "02/12/2026"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "as_of"
    assert client.get(URL).status_code == 200  # as_of defaults to today


@settings(max_examples=60, deadline=None)
@given(
    weekly=st.lists(st.integers(min_value=-5000, max_value=60000), min_size=8, max_size=26),
    available=st.integers(min_value=1, max_value=5_000_000),
)
def test_band_is_ordered(weekly, available):
    f = forecast(Decimal(available), [Decimal(w) for w in weekly], len(weekly), AS_OF)
    if sum(weekly) <= 0:
        assert f.exhaustion is None and f.reason == "no_commitments"
        return
    p10, p50, p90 = f.exhaustion
    assert AS_OF <= p10 <= p50 <= p90
    assert f == forecast(Decimal(available), [Decimal(w) for w in weekly], len(weekly), AS_OF)


@settings(max_examples=40, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=100_000),
    available=st.integers(min_value=1, max_value=5_000_000),
)
def test_steady_is_arithmetic(amount, available):
    f = forecast(Decimal(available), [Decimal(amount)] * 26, 26, AS_OF)
    weeks = min(available / amount, runway_module.MAX_WEEKS)
    expected = AS_OF + dt.timedelta(days=round(weeks * 7))
    assert all(abs((d - expected).days) <= 1 for d in f.exhaustion)


def test_positions_from_the_summaries_equal_the_ledger(ledger, postgres_only):
    allocate, line = ledger
    allocate("100000.00", dt.date(2025, 3, 1))
    allocate("50000.00", dt.date(2026, 2, 1))
    for i, day in enumerate([dt.date(2025, 5, 1), dt.date(2025, 7, 9), dt.date(2026, 11, 30)]):
        line("commit", f"{1000 * (i + 1)}.00", day)
    line("release", "500.00", dt.date(2025, 12, 31))
    for as_of in [dt.date(2025, 6, 1), dt.date(2026, 1, 5), dt.date(2026, 6, 1), AS_OF]:
        assert runway_module.summary_positions(as_of) == runway_module.ledger_positions(as_of), (
            as_of
        )
