"""Every definition of the report contract (shared/contracts/report.md), on files built through
the services with the clock frozen, exactly as reviewers and providers would make them."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from conftest import make_user
from csgrants.accounts.models import Role
from csgrants.applications import services
from csgrants.applications.models import Decision
from csgrants.reporting.selectors import build_report


def on(day: str):
    """Freeze the clock at 10:00 Brussels time on `day`."""
    d = dt.date.fromisoformat(day)
    return time_machine.travel(
        timezone.make_aware(dt.datetime(d.year, d.month, d.day, 10, 0)), tick=False
    )


@pytest.fixture
def staff(db):
    return make_user("staff-reviewer", Role.REVIEWER)


def submit(make_application, day, **fields):
    with on(day):
        return make_application("submitted", **fields)


def decide(staff, app, day, outcome=Decision.Outcome.APPROVED, reasons=()):
    with on(day):
        services.decision_record(
            actor=staff, application=app, outcome=outcome, reasons=list(reasons)
        )
    app.refresh_from_db()
    return app


def test_year_attribution_across_the_year_end(make_application, staff, funded):
    app = submit(make_application, "2021-12-28")
    decide(staff, app, "2022-01-04")
    report = build_report([2021, 2022])["years"]
    assert report["2021"]["submitted"]["total"] == 1
    assert report["2021"]["approved"]["total"] == 0
    assert report["2022"]["submitted"]["total"] == 0
    assert report["2022"]["approved"]["total"] == 1
    assert report["2022"]["enterprises_reached"] == 1
    assert report["2022"]["processing"]["decided"] == 1
    assert report["2021"]["processing"]["decided"] == 0
    # The commitment is dated at the decision, so budget follows the decision year too.
    assert report["2022"]["budget"]["committed_eur"] == "10800.00"
    assert report["2021"]["budget"]["committed_eur"] == "0.00"


def test_processing_time_skips_weekends_holidays_and_11_july(make_application, staff, funded):
    # Friday 8 July 2022 -> Wednesday 13 July: the weekend and 11 July (Flemish Community) do
    # not count: Tuesday 12 and Wednesday 13 = 2 working days, 5 calendar days.
    app = decide(staff, submit(make_application, "2022-07-08"), "2022-07-13")
    assert app.processing_working_days == 2
    # Thursday 29 December 2022 -> Tuesday 3 January 2023: Friday 30, Monday 2 and Tuesday 3 (1
    # January is a Sunday and is lost) = 3.
    app2 = decide(staff, submit(make_application, "2022-12-29"), "2023-01-03")
    assert app2.processing_working_days == 3
    p = build_report([2022])["years"]["2022"]["processing"]
    assert p == {
        "decided": 1,
        "mean_working_days": 2,
        "median_working_days": 2,
        "mean_calendar_days": 5,
        "max_working_days": 2,
        "within_sla": 1,
        "sla_working_days": 10,
    }


def test_processing_time_excludes_information_request_pauses(
    make_application, staff, provider_user, funded
):
    app = submit(make_application, "2022-03-07")  # Monday
    with on("2022-03-09"):
        services.info_request(actor=staff, application=app, question="Graag de jaarrekening.")
    with on("2022-03-14"):  # answered the next Monday: Thu, Fri, Mon paused
        services.info_answer(actor=provider_user, application=app, answer="In bijlage.")
    app = decide(staff, app, "2022-03-16")
    # 7 working days from Monday 7 to Wednesday 16, of which 3 paused.
    assert app.processing_working_days == 4
    p = build_report([2022])["years"]["2022"]["processing"]
    assert (p["mean_working_days"], p["mean_calendar_days"], p["max_working_days"]) == (4, 9, 4)


def test_mean_median_and_sla(make_application, staff, funded):
    # 1, 2 and 12 working days: mean 5, median 2, one outside the 10-day term.
    for decided in ("2022-02-08", "2022-02-09", "2022-02-23"):
        decide(staff, submit(make_application, "2022-02-07"), decided)
    p = build_report([2022])["years"]["2022"]["processing"]
    assert p["mean_working_days"] == 5
    assert p["median_working_days"] == 2
    assert p["max_working_days"] == 12
    assert (p["decided"], p["within_sla"]) == (3, 2)


def test_former_package_names_count_under_todays_code(make_application, staff, funded):
    decide(staff, submit(make_application, "2022-02-07", package="light"), "2022-02-09")
    decide(
        staff,
        submit(make_application, "2022-02-07", package="Basis", cost_eur="32000.00"),
        "2022-02-09",
    )
    decide(
        staff,
        submit(make_application, "2022-02-07", package="check&plan", cost_eur="17500.00"),
        "2022-02-09",
    )
    approved = build_report([2022])["years"]["2022"]["approved"]
    assert approved["by_package"] == {"START": 0, "MEDIUM": 1, "PLUS": 1, "CHECK_PLAN": 1}


def test_withdrawn_counts_in_the_year_it_was_withdrawn(
    make_application, staff, provider_user, funded
):
    pending = submit(make_application, "2022-12-20")
    with on("2023-01-05"):
        services.application_withdraw(actor=provider_user, application=pending)
    # Approved in 2022, withdrawn in 2023: an approval of 2022 and a withdrawal of 2023.
    approved = decide(staff, submit(make_application, "2022-11-07"), "2022-11-09")
    with on("2023-02-01"):
        services.application_withdraw(actor=provider_user, application=approved)
    # A draft that never reached the agency is not a withdrawn application.
    with on("2022-12-01"):
        make_application("withdrawn_draft")
    report = build_report([2022, 2023])["years"]
    assert report["2022"]["withdrawn"]["total"] == 0
    assert report["2023"]["withdrawn"]["total"] == 2
    assert report["2022"]["approved"]["total"] == 1
    assert report["2022"]["submitted"]["total"] == 2
    assert report["2023"]["approved"]["total"] == 0


def test_stopped_file_still_counts_as_approved_in_its_decision_year(
    make_application, staff, funded
):
    app = decide(staff, submit(make_application, "2022-03-01"), "2022-03-03")
    with on("2022-06-01"):
        services.application_stop(actor=staff, application=app, reasons=["NOT_SME"])
    y = build_report([2022])["years"]["2022"]
    assert y["approved"]["total"] == 1
    assert y["rejected"]["total"] == 0
    assert y["top_rejection_reasons"] == []  # a stop is not a refusal
    assert y["grant_equivalent_eur"] == "10800.00"


def test_top_three_rejection_reasons_with_ties_by_code(make_application, staff):
    for reasons in (
        ["NOT_SME", "DE_MINIMIS_CEILING"],
        ["DE_MINIMIS_CEILING"],
        ["NOT_SME"],
        ["OTHER", "INCOMPLETE_FILE"],
    ):
        decide(
            staff,
            submit(make_application, "2022-04-04"),
            "2022-04-06",
            Decision.Outcome.REJECTED,
            reasons,
        )
    y = build_report([2022])["years"]["2022"]
    assert y["rejected"]["total"] == 4
    # An application refused for two reasons counts once for each; ties are ordered by code.
    assert y["top_rejection_reasons"] == [
        {"code": "DE_MINIMIS_CEILING", "count": 2},
        {"code": "NOT_SME", "count": 2},
        {"code": "INCOMPLETE_FILE", "count": 1},
    ]
    # For refused files the bucket sums the subsidy that was requested.
    assert y["rejected"]["subsidy_eur"] == "43200.00"
    assert y["processing"]["decided"] == 4


def test_breakdowns_and_money_strings(make_application, staff, funded):
    decide(
        staff,
        submit(make_application, "2023-05-02", postal_code="2000", cost_eur="9999.99"),
        "2023-05-04",
    )
    decide(
        staff,
        submit(
            make_application,
            "2023-05-02",
            postal_code="3500",
            cost_eur="17500.00",
            enterprise_kind="maatwerkbedrijf",
        ),
        "2023-05-04",
    )
    decide(
        staff,
        submit(make_application, "2023-05-02", postal_code="1000", cost_eur="35000.00"),
        "2023-05-04",
    )
    a = build_report([2023])["years"]["2023"]["approved"]
    assert a["by_amount_band"] == {
        "lt_10000": 1,
        "10000_17499": 0,
        "17500_24999": 1,
        "25000_34999": 0,
        "gte_35000": 1,
    }
    assert (
        a["by_province"]["BE-VAN"] == 1
        and a["by_province"]["BE-VLI"] == 1
        and a["by_province"]["BE-BRU"] == 1
    )
    assert a["by_enterprise_kind"] == {"kmo": 2, "maatwerkbedrijf": 1}
    assert a["cost_eur"] == "62499.99"
    # Filed under the 2023 policy (issue 20: a cost of EUR 9,999.99 lies outside 2021's range),
    # 50% per file, half-up to the cent: 5000.00 + 8750.00 + 17500.00.
    assert a["subsidy_eur"] == "31250.00"


def test_an_empty_year_is_all_zero(db):
    y = build_report([2030])["years"]["2030"]
    for bucket in ("submitted", "approved", "rejected", "withdrawn"):
        assert y[bucket]["total"] == 0
        assert set(y[bucket]["by_package"]) == {"START", "MEDIUM", "PLUS", "CHECK_PLAN"}
        assert all(v == 0 for v in y[bucket]["by_package"].values())
        assert all(v == 0 for v in y[bucket]["by_amount_band"].values())
        assert y[bucket]["cost_eur"] == y[bucket]["subsidy_eur"] == "0.00"
    assert y["top_rejection_reasons"] == []
    assert y["processing"]["decided"] == 0 and y["processing"]["mean_working_days"] == 0
    assert y["enterprises_reached"] == 0
    assert y["grant_equivalent_eur"] == "0.00"
    assert y["amendments"] == {"upgrades": 0, "extensions": 0, "enterprises_with_extensions": 0}
    assert y["budget"] == {"allocated_eur": "0.00", "committed_eur": "0.00", "paid_eur": "0.00"}


def test_provider_filter_limits_every_figure(make_application, staff, funded, other_provider):
    decide(staff, submit(make_application, "2022-05-02"), "2022-05-04")
    assert build_report([2022], provider=funded)["years"]["2022"]["approved"]["total"] == 1
    other = build_report([2022], provider=other_provider)["years"]["2022"]
    assert other["approved"]["total"] == 0
    assert other["budget"]["committed_eur"] == "0.00"


def test_report_shape_matches_the_contract(db):
    report = build_report([2021, 2022])
    assert set(report) == {"scheme", "generated_at", "years"}
    assert report["scheme"] == "CS-verbetertrajecten"
    assert list(report["years"]) == ["2021", "2022"]
    year = report["years"]["2021"]
    assert set(year) == {
        "submitted",
        "approved",
        "rejected",
        "withdrawn",
        "top_rejection_reasons",
        "processing",
        "enterprises_reached",
        "grant_equivalent_eur",
        "amendments",
        "budget",
        "final_reports",
        # Issue 22: how long files waited for their enterprise's confirmation.
        "enterprise_confirmation",
    }
    assert set(year["submitted"]) == {
        "total",
        "by_enterprise_kind",
        "by_province",
        "by_package",
        "by_amount_band",
        "cost_eur",
        "subsidy_eur",
    }
    assert set(year["processing"]) == {
        "decided",
        "mean_working_days",
        "median_working_days",
        "mean_calendar_days",
        "max_working_days",
        "within_sla",
        "sla_working_days",
    }


def test_budget_counts_a_reserve_once(admin_user, provider):
    from csgrants.budgets.services import allocation_create, reserve_assign

    reserve = allocation_create(
        actor=admin_user,
        provider=None,
        amount_eur=Decimal("2000000.00"),
        allocated_on=dt.date(2023, 2, 1),
        kind="reserve",
        note="new procurement",
    )
    reserve_assign(
        actor=admin_user,
        reserve=reserve,
        provider=provider,
        amount_eur=Decimal("300000.00"),
        allocated_on=dt.date(2023, 3, 1),
    )
    assert build_report([2023])["years"]["2023"]["budget"]["allocated_eur"] == "2000000.00"
    assert (
        build_report([2023], provider=provider)["years"]["2023"]["budget"]["allocated_eur"]
        == "300000.00"
    )


def test_the_report_groups_by_the_expressions_postgresql_has_statistics_for(postgres_only):
    """The main grouped query only runs in parallel when PostgreSQL knows how few groups its keys
    make (applications migration 0005); the statistics must name the query's exact expressions."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_get_statisticsobjdef(oid) FROM pg_statistic_ext WHERE stxname = %s",
            ["application_report_groups"],
        )
        (definition,) = cur.fetchone()
    for expression in (
        "EXTRACT(year FROM submitted_on)",
        "EXTRACT(year FROM decided_on)",
        "EXTRACT(year FROM closed_on)",
        "enterprise_kind",
        "province",
        "package_id",
        "status",
        "cost_eur < 35000::numeric",
    ):
        assert expression in definition, definition
