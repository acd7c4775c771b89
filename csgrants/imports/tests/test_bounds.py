"""The history import keeps to the scheme's plausible bounds (issue 20, catalogue.bounds): dates
within the scheme's life, costs within the policy's range, subsidies never above rate x cost.
Each refusal names FILE:LINE: column, and nothing is imported."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from csgrants.applications.models import Application
from csgrants.budgets.models import Allocation

from .test_import import AMEND_HEADER, APP_HEADER, GOOD, assert_nothing_imported, write

pytestmark = pytest.mark.django_db

ALLOC_HEADER = "service_provider,allocated_on,amount_eur,note"
# An approved MEDIUM of 2023 (policy: 50%, EUR 9,200-35,000), line 2 of its file.
ROW_2023 = (
    "CS-2023-0001,P01,0403.170.701,Bakkerij Peeters BV,kmo,9000,MEDIUM,,9200.00,4600.00,"
    "2023-03-01,approved,2023-03-06,"
)


def _errors(folder, capsys) -> str:
    with pytest.raises(CommandError):
        call_command("import_history", str(folder), "--no-progress")
    return capsys.readouterr().err


@time_machine.travel("2026-06-15 10:00 +0000", tick=False)
@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("submitted_on", "2999-01-04", "more than a year ahead"),
        ("submitted_on", "1901-01-04", "before the scheme began (2019-01-01)"),
        ("decided_on", "2999-03-06", "more than a year ahead"),
    ],
)
def test_dates_outside_the_schemes_life_are_refused(tmp_path, capsys, column, value, says):
    row = ROW_2023.replace("2023-03-01" if column == "submitted_on" else "2023-03-06", value)
    write(tmp_path, "applications.csv", APP_HEADER, [GOOD[1], row])
    err = _errors(tmp_path, capsys)
    assert f"applications.csv:3: {column}: " in err and says in err, err
    assert_nothing_imported()


@time_machine.travel("2026-06-15 10:00 +0000", tick=False)
def test_a_date_up_to_a_year_ahead_is_taken(tmp_path):
    write(tmp_path, "allocations.csv", ALLOC_HEADER, ["P01,2027-06-15,300000.00,top-up"])
    call_command("import_history", str(tmp_path), "--no-progress")
    assert Allocation.objects.get().allocated_on.isoformat() == "2027-06-15"


@time_machine.travel("2026-06-15 10:00 +0000", tick=False)
def test_allocation_and_amendment_dates_are_bounded_too(tmp_path, capsys):
    write(tmp_path, "allocations.csv", ALLOC_HEADER, ["P01,0001-01-01,300000.00,top-up"])
    write(tmp_path, "applications.csv", APP_HEADER, [ROW_2023])
    write(
        tmp_path,
        "amendments.csv",
        AMEND_HEADER,
        ["CS-2023-0001,extension,EXTENSION,6000.00,3000.00,9999-12-31,submitted,"],
    )
    err = _errors(tmp_path, capsys)
    assert "allocations.csv:2: allocated_on: The date 0001-01-01 lies before" in err, err
    assert "amendments.csv:2: requested_on: The date 9999-12-31 lies more than a year" in err
    assert_nothing_imported()


def test_a_subsidy_above_rate_times_cost_is_refused(tmp_path, capsys):
    row = ROW_2023.replace("4600.00", "900000.00")
    write(tmp_path, "applications.csv", APP_HEADER, [row])
    err = _errors(tmp_path, capsys)
    assert (
        "applications.csv:2: subsidy_eur: The subsidy €900,000.00 is more than 50% of the cost "
        "€9,200.00 (at most €4,600.00)." in err
    ), err
    assert_nothing_imported()


def test_the_subsidy_at_exactly_rate_times_cost_is_taken(tmp_path):
    write(tmp_path, "applications.csv", APP_HEADER, [ROW_2023])
    call_command("import_history", str(tmp_path), "--no-progress")
    assert Application.objects.get().subsidy_eur == 4600


@pytest.mark.parametrize("cost", ["0.00", "9199.99", "35000.01", "999999999999.99"])
def test_a_cost_outside_the_policys_range_is_refused(tmp_path, capsys, cost):
    row = ROW_2023.replace("9200.00,4600.00", f"{cost},").replace(
        "approved,2023-03-06,", "submitted,,"
    )
    write(tmp_path, "applications.csv", APP_HEADER, [row])
    err = _errors(tmp_path, capsys)
    assert "applications.csv:2: cost_eur: " in err, err
    assert "€9,200.00 to €35,000.00" in err or "more than zero" in err
    assert_nothing_imported()


def test_a_file_rejected_for_its_cost_keeps_its_cost_but_not_an_absurd_one(tmp_path, capsys):
    rejected = ROW_2023.replace("9200.00,4600.00", "41000.00,").replace(
        "approved,2023-03-06,", "rejected,2023-03-06,COST_OUT_OF_RANGE"
    )
    write(tmp_path, "applications.csv", APP_HEADER, [rejected])
    call_command("import_history", str(tmp_path), "--no-progress")
    assert str(Application.objects.get().cost_eur) == "41000.00"
    Application.objects.all().delete()
    absurd = rejected.replace("41000.00", "999999999999.99").replace("CS-2023-0001", "CS-2023-9")
    write(tmp_path, "applications.csv", APP_HEADER, [absurd])
    err = _errors(tmp_path, capsys)
    assert "applications.csv:2: cost_eur: The cost €999,999,999,999.99 is more than 2 times" in err


def test_an_amendments_extra_subsidy_is_bounded_by_its_rate(tmp_path, capsys):
    write(tmp_path, "applications.csv", APP_HEADER, [ROW_2023])
    write(
        tmp_path,
        "amendments.csv",
        AMEND_HEADER,
        [
            "CS-2023-0001,extension,EXTENSION,6000.00,3000.01,2023-05-02,approved,2023-05-04",
            "CS-2023-0001,upgrade,PLUS,999999999.00,,2023-06-02,submitted,",
        ],
    )
    err = _errors(tmp_path, capsys)
    assert "amendments.csv:2: extra_subsidy_eur: The subsidy €3,000.01 is more than 50%" in err
    assert "amendments.csv:3: extra_cost_eur: The extra cost €999,999,999.00 is more than" in err
    assert_nothing_imported()
