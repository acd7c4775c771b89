"""The policy insight sections of the report (contracts/insight.md): `runway`, `inflow` and
`funnel` beside the yearly figures of the parliamentary question. Kept apart from build_report,
which answers the question itself (and is timed against its own target); the command, the API,
the dashboard and its downloads add them with `add_insight`."""

from __future__ import annotations

import datetime as dt

from csgrants.core import clock
from csgrants.reporting.funnel import funnel
from csgrants.reporting.inflow import inflow
from csgrants.reporting.runway import runway


def add_insight(
    report: dict,
    provider=None,
    *,
    as_of: dt.date | None = None,
    runway_result=None,
    known_changes: list[dict] | None = None,
) -> dict:
    """Add `runway` (on `as_of`, default today), `inflow` (per month of the report's years) and
    `funnel` (per year) to `report`; with `provider`, that provider's figures (the runway's
    total stays the scheme's)."""
    years = [int(y) for y in report["years"]]
    as_of = as_of or clock.today()
    if runway_result is None:
        runway_result = runway(as_of, providers=[provider] if provider else None)
    report["runway"] = runway_result.as_json()
    report["inflow"] = inflow(years, provider, known_changes)
    report["funnel"] = {str(y): funnel(y, provider) for y in years}
    return report
