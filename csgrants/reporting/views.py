"""The statistics dashboard: the figures of the parliamentary question per year (and per
provider), a chart with its data table for every breakdown, and the downloads (CSV, XLSX, JSON
and the Dutch answer text). Thin: build_report does the work, renderers do the formats."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from csgrants.catalogue.models import Package, ServiceProvider
from csgrants.core import clock
from csgrants.core.permissions import STAFF, role_required
from csgrants.reporting import renderers
from csgrants.reporting.charts import bar_chart
from csgrants.reporting.funnel import funnel
from csgrants.reporting.inflow import DEFAULT_WINDOW, before_after, changes
from csgrants.reporting.insight import add_insight
from csgrants.reporting.runway import runway
from csgrants.reporting.selectors import (
    available_at_year_start,
    build_report,
    data_years,
    next_year_allocated,
    scheme_years,
)
from csgrants.reporting.views_insight import (
    funnel_context,
    inflow_context,
    measure_labels,
    parse_date,
    runway_context,
)

MAX_YEARS = 10


def _breakdown_titles():
    return {
        "by_enterprise_kind": _("a) SME or social-economy enterprise"),
        "by_province": _("b) province"),
        "by_package": _("c) package chosen"),
        "by_amount_band": _("d) amount of the trajectory"),
    }


def _questions():
    return [
        ("submitted", 5, _("Applications submitted")),
        ("approved", 6, _("Applications approved")),
        ("rejected", 7, _("Applications rejected")),
    ]


def _parse_years(request, available: list[int], scheme: list[int]) -> list[int]:
    """The chosen years among the scheme's; by default the last two years with data."""
    years = []
    for value in request.GET.getlist("year"):
        if value.isdigit() and int(value) in scheme:
            years.append(int(value))
    if not years:
        with_data = [y for y in available if y in scheme] or scheme
        last = max(with_data)
        years = [y for y in (last - 1, last) if y in scheme] or [last]
    return sorted(set(years))[-MAX_YEARS:]


@role_required(*STAFF)
def index(request):
    available = data_years()
    scheme = scheme_years()
    years = _parse_years(request, available, scheme)
    # The scheme's years only (2019 to this year), not every year some imported row mentions.
    choosable = scheme
    providers = list(ServiceProvider.objects.order_by("code"))
    provider = None
    code = request.GET.get("provider") or ""
    if code:
        provider = next((p for p in providers if p.code == code), None)
    report = build_report(years, provider=provider)
    runway_result = runway(clock.today(), providers=[provider] if provider else None)
    # Once per page: the inflow and the comparison share the policy changes.
    policy_changes = changes()
    add_insight(report, provider, runway_result=runway_result, known_changes=policy_changes)
    slug = f"statistieken-{'-'.join(map(str, years))}" + (f"-{provider.code}" if provider else "")
    fmt = request.GET.get("format")
    if fmt in ("json", "csv", "xlsx", "md"):
        return _download(report, fmt, slug, years, provider)

    labels = renderers.labels_for(get_language() or "nl")
    year_keys = list(report["years"])
    data = report["years"]
    titles = _breakdown_titles()
    questions = []
    for bucket, number, title in _questions():
        sections = []
        for breakdown in renderers.BREAKDOWNS:
            keys = renderers.breakdown_keys(report, bucket, breakdown)
            rows = [
                (
                    labels.key(breakdown, k),
                    [data[y][bucket][breakdown].get(k, 0) for y in year_keys],
                )
                for k in keys
            ]
            chart_id = f"chart-{bucket}-{breakdown}"
            sections.append(
                {
                    "title": titles[breakdown],
                    "rows": rows,
                    "chart": mark_safe(  # noqa: S308 - built with escape()
                        bar_chart(chart_id, f"{title}: {titles[breakdown]}", rows, year_keys)
                    ),
                }
            )
        questions.append(
            {
                "number": number,
                "title": title,
                "bucket": bucket,
                "totals": [data[y][bucket]["total"] for y in year_keys],
                "cost": [Decimal(data[y][bucket]["cost_eur"]) for y in year_keys],
                "subsidy": [Decimal(data[y][bucket]["subsidy_eur"]) for y in year_keys],
                "sections": sections,
            }
        )
    reasons = [
        (
            y,
            [
                (labels.reasons.get(r["code"], r["code"]), r["code"], r["count"])
                for r in d["top_rejection_reasons"]
            ],
        )
        for y, d in data.items()
    ]
    extra = next_year_allocated(max(years) + 1, provider=provider)
    earlier = available_at_year_start(year_keys, provider=provider)
    answer = renderers.render_markdown(
        report,
        renderers.labels_for("nl"),
        next_year_allocated=extra,
        provider_label=provider.name if provider else None,
    )
    query = request.GET.copy()
    query.pop("format", None)
    insight = _insight_context(request, report, years, provider, runway_result, policy_changes)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "report": report,
            "years": years,
            "year_keys": year_keys,
            "choosable": choosable,
            "providers": providers,
            "provider": provider,
            "questions": questions,
            "reasons": reasons,
            "budget": [
                (
                    y,
                    {
                        **{k: Decimal(v) for k, v in d["budget"].items()},
                        "available_before_eur": earlier.get(int(y)),
                    },
                )
                for y, d in data.items()
            ],
            "reached": [
                (y, d["enterprises_reached"], Decimal(d["grant_equivalent_eur"]), d["amendments"])
                for y, d in data.items()
            ],
            "processing": [(y, d["processing"]) for y, d in data.items()],
            "next_year": max(years) + 1,
            "next_year_allocated": extra,
            "answer": answer,
            "query": query.urlencode(),
            **insight,
        },
    )


def _insight_context(request, report, years, provider, runway_result, policy_changes) -> dict:
    """The runway, the inflow with its before/after comparison and the funnel (issue 24)."""
    package_code = request.GET.get("package") or ""
    package = Package.objects.filter(code=package_code, is_extension=False).first()
    funnels = report["funnel"]
    if package is not None:
        funnels = {str(y): funnel(y, provider, package) for y in years}
    for data in funnels.values():
        for step in data["steps"]:
            share = step["moved_on_share"]
            step["moved_on_pct"] = None if share is None else round(share * 100, 1)
    compare_date = parse_date(request.GET.get("compare"))
    if compare_date is None:
        dates = [c["date"] for c in policy_changes if c["kind"] == "policy"]
        compare_date = dates[-1] if dates else None
    compare = None
    if compare_date is not None:
        window = request.GET.get("window") or ""
        months = int(window) if window.isdigit() else DEFAULT_WINDOW
        compare = before_after(compare_date, months, provider, policy_changes)
        names = measure_labels()
        rows = []
        for key, m in compare["measures"].items():
            share = m["change_share"]
            rows.append(
                (names[key], {**m, "change_pct": None if share is None else round(share * 100, 1)})
            )
        compare["rows"] = rows
    return {
        "runway": runway_context(runway_result),
        "inflow": inflow_context(report["inflow"]),
        "funnel": funnel_context(funnels),
        "compare": compare,
        "compare_date": compare_date,
        "package_code": package.code if package else "",
    }


def _download(report, fmt, slug, years, provider):
    if fmt == "json":
        response = HttpResponse(
            renderers.render_json(report), content_type="application/json; charset=utf-8"
        )
    elif fmt == "csv":
        response = HttpResponse(
            renderers.render_csv(report), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "md":
        extra = next_year_allocated(max(years) + 1, provider=provider)
        text = renderers.render_markdown(
            report,
            renderers.labels_for("nl"),
            next_year_allocated=extra,
            provider_label=provider.name if provider else None,
        )
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    else:
        extra = next_year_allocated(max(years) + 1, provider=provider)
        content = renderers.render_xlsx(
            report, renderers.labels_for("nl"), next_year_allocated=extra
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{slug}.{fmt}"'
    return response
