"""The final_reports section of the yearly report: JSON, Markdown, CSV and the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from csgrants.applications import trajectory
from csgrants.applications.tests.after_helpers import at, maturity, report_data
from csgrants.reporting import renderers
from csgrants.reporting.selectors import build_report


@pytest.fixture
def accepted(make_application, provider_user, reviewer):
    with at(dt.date(2023, 3, 1)):
        a, b = make_application("in_progress"), make_application("in_progress")
    for app, score, progress in ((a, 5, True), (b, 3, False)):
        with at(dt.date(2024, 2, 1)):
            trajectory.final_report_submit(
                actor=provider_user,
                application=app,
                **report_data(
                    satisfaction_score=score, made_progress=progress, maturity=maturity(1, 4)
                ),
            )
            trajectory.final_report_accept(actor=reviewer, application=app)


def test_report_json_has_final_reports_per_year(accepted, provider, other_provider):
    report = build_report([2023, 2024])
    assert report["years"]["2023"]["final_reports"]["count"] == 0
    f = report["years"]["2024"]["final_reports"]
    assert f["count"] == 2 and f["mean_satisfaction"] == 4.0 and f["made_progress_share"] == 0.5
    assert f["maturity"]["respond"]["implementation"] == {"before": 1.0, "after": 4.0}
    assert (
        build_report([2024], provider=provider.pk)["years"]["2024"]["final_reports"]["count"] == 2
    )
    assert (
        build_report([2024], provider=other_provider)["years"]["2024"]["final_reports"]["count"]
        == 0
    )


def test_markdown_and_csv_carry_the_section(accepted):
    report = build_report([2023, 2024])
    md = renderers.render_markdown(report)
    assert "## Eindverslagen: maturiteit en tevredenheid" in md
    assert "| 2024 | 2 | 50% | 100% | 4 |" in md
    assert "| Reageren | 1 | 4 | 1 | 4 |" in md
    assert "Gemiddelde maturiteit in 2023" not in md  # no reports that year
    rows = list(renderers.report_rows(report))
    assert ("2024", "final_reports", "mean_satisfaction", "", 4.0) in rows
    assert ("2024", "final_reports", "maturity_documentation_after", "identify", 4.0) in rows


def test_dashboard_shows_the_section(client, analyst, accepted):
    client.force_login(analyst)
    html = client.get(reverse("reporting:dashboard"), {"year": ["2024"]}).content.decode()
    assert 'id="final-reports"' in html
    assert "Mean maturity in 2024" in html or "Gemiddelde maturiteit in 2024" in html
