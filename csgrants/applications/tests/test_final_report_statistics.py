"""The final_reports section of the yearly statistics."""

from __future__ import annotations

import datetime as dt

from csgrants.applications import trajectory
from csgrants.applications.selectors import final_reports_section
from csgrants.applications.tests.after_helpers import at, maturity, report_data


def _report(app, provider_user, reviewer, accepted_on, **data):
    with at(accepted_on):
        trajectory.final_report_submit(actor=provider_user, application=app, **report_data(**data))
        trajectory.final_report_accept(actor=reviewer, application=app)


def test_final_reports_section_means_and_shares(make_application, provider_user, reviewer):
    with at(dt.date(2023, 3, 1)):
        a, b, c, sent_back = (make_application("in_progress") for _ in range(4))
    _report(
        a,
        provider_user,
        reviewer,
        dt.date(2024, 2, 1),
        satisfaction_score=5,
        maturity=maturity(before=1, after=3),
    )
    _report(
        b,
        provider_user,
        reviewer,
        dt.date(2024, 3, 1),
        satisfaction_score=4,
        made_progress=False,
        maturity=maturity(
            before=2,
            after=3,
            detect={
                "documentation_before": 1,
                "implementation_before": 1,
                "documentation_after": 2,
                "implementation_after": 5,
            },
        ),
    )
    _report(
        c,
        provider_user,
        reviewer,
        dt.date(2024, 4, 1),
        satisfaction_score=4,
        keep_investing=False,
        maturity=maturity(before=2, after=4),
    )
    with at(dt.date(2024, 5, 1)):  # sent back: not counted
        trajectory.final_report_submit(actor=provider_user, application=sent_back, **report_data())
        trajectory.final_report_send_back(actor=reviewer, application=sent_back, note="Onvolledig.")

    section = final_reports_section(2024)
    assert section["count"] == 3
    assert section["mean_satisfaction"] == 4.33
    assert section["made_progress_share"] == 0.67
    assert section["keep_investing_share"] == 0.67
    assert section["maturity"]["identify"] == {
        "documentation": {"before": 1.67, "after": 3.33},
        "implementation": {"before": 1.67, "after": 3.33},
    }
    assert section["maturity"]["detect"] == {
        "documentation": {"before": 1.33, "after": 3.0},
        "implementation": {"before": 1.33, "after": 4.0},
    }
    assert list(section["maturity"]) == ["identify", "protect", "detect", "respond", "recover"]


def test_final_reports_section_by_year_and_provider(
    make_application, provider_user, reviewer, other_provider_user, admin_user
):
    from csgrants.budgets.services import allocation_create

    allocation_create(
        actor=admin_user,
        provider=other_provider_user.service_provider,
        amount_eur=100000,
        allocated_on=dt.date(2023, 1, 1),
    )
    with at(dt.date(2023, 3, 1)):
        mine = make_application("in_progress")
        theirs = make_application("in_progress", user=other_provider_user)
    _report(mine, provider_user, reviewer, dt.date(2023, 12, 29))
    _report(theirs, other_provider_user, reviewer, dt.date(2024, 1, 3), satisfaction_score=2)
    assert final_reports_section(2023)["count"] == 1
    assert final_reports_section(2024)["mean_satisfaction"] == 2.0
    assert final_reports_section(2024, provider=provider_user.service_provider)["count"] == 0
    empty = final_reports_section(2022)
    assert (
        empty["count"] == 0
        and empty["mean_satisfaction"] is None
        and empty["made_progress_share"] is None
    )
    assert empty["maturity"]["recover"]["implementation"] == {"before": None, "after": None}
