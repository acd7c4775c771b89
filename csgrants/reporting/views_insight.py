"""The policy-insight pages (contracts/insight.md): the budget runway with its P10-P50-P90
chart, the what-if scenario form, and the parts of the dashboard that show the runway, the
inflow with the policy changes and the funnel. Thin: the selectors in runway, inflow, funnel
and whatif do the work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from csgrants.core import clock
from csgrants.core.errors import ValidationFailed
from csgrants.core.forms import AmountField
from csgrants.core.money import MAX_AMOUNT
from csgrants.core.permissions import STAFF, role_required
from csgrants.reporting.charts import band_chart, line_chart
from csgrants.reporting.runway import WARNING_WEEKS, Runway, runway, warns
from csgrants.reporting.whatif import scenario_from, what_if


def reason_labels() -> dict[str, str]:
    return {
        "not_enough_history": _("fewer than 8 weeks of history"),
        "no_commitments": _("nothing committed (net) in the last 26 weeks"),
        "exhausted": _("no budget left"),
    }


def step_labels() -> dict[str, str]:
    return {
        "filed": _("filed"),
        "confirmed": _("confirmed by the enterprise"),
        "submitted": _("submitted"),
        "decided": _("decided"),
        "approved": _("approved"),
        "started": _("trajectory started"),
        "final_report_accepted": _("final report accepted"),
        "paid": _("paid"),
    }


def measure_labels() -> dict[str, str]:
    return {
        "submitted": _("Submitted"),
        "approved": _("Approved"),
        "enterprises_reached": _("Enterprises reached"),
    }


def parse_date(value) -> dt.date | None:
    """A date from a query string, between 2000 and 2100; None otherwise."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31) else None


def runway_context(result: Runway, chart_id: str = "chart-runway") -> dict:
    reasons = reason_labels()
    rows = []
    for p, f in result.providers:
        rows.append(
            {
                "label": f"{p.code} · {p.name}",
                "f": f,
                "warn": warns(f, result.as_of),
                "reason": reasons.get(f.reason, "") if f.reason else "",
            }
        )
    total = {
        "label": _("Scheme (incl. free reserves)"),
        "f": result.total,
        "warn": False,
        "reason": reasons.get(result.total.reason, "") if result.total.reason else "",
    }
    bands = [
        (r["label"], r["f"].exhaustion if r["f"].reason is None else None) for r in [*rows, total]
    ]
    horizon = result.as_of + dt.timedelta(weeks=WARNING_WEEKS)
    chart = band_chart(
        chart_id,
        _("Budget runway on %(day)s: P10 to P90, P50 marked") % {"day": f"{result.as_of:%d/%m/%Y}"},
        bands,
        result.as_of,
        marker=horizon,
        marker_label=_("8 weeks"),
    )
    return {
        "as_of": result.as_of,
        "rows": rows,
        "total": total,
        "chart": mark_safe(chart),  # noqa: S308 - built with escape()
        "warnings": [r for r in rows if r["warn"]],
    }


@role_required(*STAFF)
def runway_page(request):
    as_of = parse_date(request.GET.get("as_of")) or clock.today()
    return render(
        request, "reporting/runway.html", {"runway": runway_context(runway(as_of)), "as_of": as_of}
    )


def inflow_context(data: dict, chart_id: str = "chart-inflow") -> dict:
    labels = [m["month"] for m in data["months"]]
    index = {m: i for i, m in enumerate(labels)}
    names = measure_labels()
    series = [
        (names[k], [m[k]["total"] for m in data["months"]])
        for k in ("submitted", "approved", "enterprises_reached")
    ]
    kinds = {"policy": _("policy version"), "package": _("package introduced")}
    marks = [
        (index[c["month"]], f"{kinds[c['kind']]}: {c['label']}")
        for c in data["changes"]
        if c["month"] in index
    ]
    chart = line_chart(chart_id, _("Inflow per month"), labels, series, marks)
    return {
        "chart": mark_safe(chart),  # noqa: S308 - built with escape()
        "months": data["months"],
        "packages": data["packages"],
        "changes": [
            {**c, "number": k + 1, "kind_label": kinds[c["kind"]]}
            for k, c in enumerate(c for c in data["changes"] if c["month"] in index)
        ],
        "measures": names,
    }


def funnel_context(by_year: dict) -> list[dict]:
    names = step_labels()
    return [
        {
            "year": y,
            "steps": [{**s, "label": names[s["step"]]} for s in data["steps"]],
            "by_provider": data["by_provider"],
            "by_package": data["by_package"],
            "step_keys": [s["step"] for s in data["steps"]],
        }
        for y, data in by_year.items()
    ]


class WhatIfForm(forms.Form):
    # Amounts and the rate are read by core.money's one parser in the UI's spelling (issue 20:
    # a DecimalField took "1e5" as 100,000 and refused 9.200,00).
    rate_pct = AmountField(
        label=gettext_lazy("Subsidy rate (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
    )
    from_date = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until (default one year later)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    min_cost_eur = AmountField(
        label=gettext_lazy("Minimum cost of a trajectory (EUR, optional)"),
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        required=False,
    )
    max_cost_eur = AmountField(
        label=gettext_lazy("Maximum cost of a trajectory (EUR, optional)"),
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        required=False,
    )


@role_required(*STAFF)
def what_if_page(request):
    result = None
    if request.method == "POST":
        form = WhatIfForm(request.POST)
        if form.is_valid():
            try:
                result = what_if(
                    scenario_from(**{k: v for k, v in form.cleaned_data.items() if v is not None})
                )
            except ValidationFailed as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    else:
        form = WhatIfForm(initial={"from_date": clock.today()})
    return render(request, "reporting/what_if.html", {"form": form, "result": result})
