"""Inflow by month and the policy changes (contracts/insight.md): did the 2023 changes (50 %
instead of 45 %, the START package) raise the inflow?

- Per month: files **submitted** (by submission date), **approved** (by the date of the approval
  decision, as the yearly report counts them) and **enterprises reached** (distinct enterprises
  with an approval in the month), per main package at submission and in total.
- **Changes** marked on the chart: each policy version's start (its name says what changed) and
  each package's introduction: the later of the first policy version that admits it and the
  first file submitted with it. A package filed from the first month of the data was there from
  the start and is not marked.
- **Before/after**: the months before a chosen date and as many after it (12 by default), the
  mean per month of each count, and the change. It is a comparison, not a measured effect: the
  inflow also moves with the season, the economy, the providers' own campaigns. When two changes
  fall in the compared window (the 2023 rate change and START came on the same day) the
  comparison says so, since their effects cannot be told apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import TruncMonth

from csgrants.applications.models import Application
from csgrants.applications.statuses import approval_decided_q, approval_decided_sql
from csgrants.catalogue.models import Package, PolicyVersion
from csgrants.core import clock
from csgrants.reporting import summaries
from csgrants.reporting.models import InflowCount, MonthReachCount

MEASURES = ("submitted", "approved", "enterprises_reached")
DEFAULT_WINDOW = 12


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from start's month up to (not including) end's month."""
    out, m = [], _month(start)
    while m < end:
        out.append(m)
        m = _add_months(m, 1)
    return out


def changes() -> list[dict]:
    """The policy changes, oldest first: {"date", "kind": "policy" | "package", "label"}."""
    found = []
    versions = list(
        PolicyVersion.objects.order_by("valid_from").prefetch_related("admitted_packages")
    )
    for v in versions[1:]:  # the first version is the scheme's start, not a change
        found.append({"date": v.valid_from, "kind": "policy", "label": v.name})
    first_admitted: dict[int, dt.date] = {}
    for v in versions:
        for p in v.admitted_packages.all():
            first_admitted.setdefault(p.pk, v.valid_from)
    first = (
        Application.objects.filter(package_id=OuterRef("pk"), submitted_on__isnull=False)
        .order_by("submitted_on")
        .values("submitted_on")[:1]
    )
    first_filed = {
        pk: day
        for pk, day in Package.objects.annotate(first=Subquery(first)).values_list("pk", "first")
        if day is not None
    }
    if first_filed:
        start = _month(min(first_filed.values()))
        for p in Package.objects.filter(is_extension=False).order_by("sort_order", "code"):
            dates = [d for d in (first_admitted.get(p.pk), first_filed.get(p.pk)) if d]
            if p.pk in first_filed and _month(max(dates)) > start:
                found.append({"date": max(dates), "kind": "package", "label": p.code})
    return sorted(found, key=lambda c: (c["date"], c["kind"], c["label"]))


def _counts(start: dt.date, end: dt.date, provider_id=None) -> dict:
    """{(measure, month, package code or None for the total): n} over [start, end) (first days of
    months). On PostgreSQL from the monthly summaries the triggers keep (reporting.summaries);
    one provider's distinct enterprises, and everything on SQLite, from the files."""
    package_of = dict(Package.objects.values_list("pk", "code"))
    apps = Application.objects.all()
    if provider_id is not None:
        apps = apps.filter(provider_id=provider_id)
    approved = apps.filter(
        approval_decided_q(), decided_on__gte=start, decided_on__lt=end
    ).order_by()
    out: dict = defaultdict(int)
    if summaries.enabled():
        rows = InflowCount.objects.filter(month__gte=start, month__lt=end)
        if provider_id is not None:
            rows = rows.filter(provider_id=provider_id)
        for measure, month, package_id, n in (
            rows.values("measure", "month", "package_id")
            .annotate(total=Sum("n"))
            .values_list("measure", "month", "package_id", "total")
        ):
            out[measure, month, package_of.get(package_id)] += n
    else:
        submitted = (
            apps.filter(submitted_on__gte=start, submitted_on__lt=end)
            .order_by()
            .values("package_id", m=TruncMonth("submitted_on"))
            .annotate(n=Count("id"))
        )
        for row in submitted:
            out["submitted", _month(row["m"]), package_of.get(row["package_id"])] += row["n"]
        for row in approved.values("package_id", m=TruncMonth("decided_on")).annotate(
            n=Count("id")
        ):
            out["approved", _month(row["m"]), package_of.get(row["package_id"])] += row["n"]
    for (measure, month, code), n in list(out.items()):
        if code is not None:
            out[measure, month, None] += n
    if summaries.enabled() and provider_id is None:
        for month, package_id, n in MonthReachCount.objects.filter(
            month__gte=start, month__lt=end
        ).values_list("month", "package_id", "enterprises"):
            # package 0: every package (distinct over all of them, not the packages' sum)
            out["enterprises_reached", month, package_of.get(package_id)] += n
    elif summaries.enabled():
        # One provider: from its files (its index holds what is read), per package and in
        # total in one pass.
        with connection.cursor() as cur:
            cur.execute(
                "SELECT date_trunc('month', a.decided_on)::date AS m, a.package_id, "
                "count(DISTINCT a.enterprise_id) "
                f"FROM {Application._meta.db_table} a WHERE a.provider_id = %s "
                f"AND a.decided_on >= %s AND a.decided_on < %s AND {approval_decided_sql('a')} "
                "GROUP BY GROUPING SETS ((m, a.package_id), (m))",
                [provider_id, start, end],
            )
            for month, package_id, n in cur.fetchall():
                # package NULL: the month's total
                out["enterprises_reached", month, package_of.get(package_id)] = n
    else:
        for row in approved.values("package_id", m=TruncMonth("decided_on")).annotate(
            e=Count("enterprise_id", distinct=True)
        ):
            code = package_of.get(row["package_id"])
            out["enterprises_reached", _month(row["m"]), code] += row["e"]
        for row in approved.values(m=TruncMonth("decided_on")).annotate(
            e=Count("enterprise_id", distinct=True)
        ):
            out["enterprises_reached", _month(row["m"]), None] = row["e"]
    return out


def inflow(years: list[int], provider=None, known_changes: list[dict] | None = None) -> dict:
    """Monthly counts over the years, per package and in total, with the changes marked
    (`known_changes`: what `changes()` answered earlier in the same request)."""
    years = sorted({int(y) for y in years})
    codes = list(
        Package.objects.filter(is_extension=False)
        .order_by("sort_order", "code")
        .values_list("code", flat=True)
    )
    if not years:
        return {"months": [], "packages": codes, "changes": []}
    start, end = dt.date(years[0], 1, 1), dt.date(years[-1] + 1, 1, 1)
    counts = _counts(start, end, getattr(provider, "pk", provider))
    months = []
    for m in months_between(start, end):
        entry = {"month": m.strftime("%Y-%m")}
        for measure in MEASURES:
            entry[measure] = {
                "total": counts.get((measure, m, None), 0),
                "by_package": {c: counts.get((measure, m, c), 0) for c in codes},
            }
        months.append(entry)
    return {
        "months": months,
        "packages": codes,
        "changes": [
            {**c, "date": c["date"].isoformat(), "month": c["date"].strftime("%Y-%m")}
            for c in (changes() if known_changes is None else known_changes)
            if start <= c["date"] < end
        ],
    }


def before_after(
    on: dt.date,
    months: int = DEFAULT_WINDOW,
    provider=None,
    known_changes: list[dict] | None = None,
) -> dict:
    """The `months` months before the month of `on` against that month and the ones after it:
    counts per month, the mean of each window and the change (absolute and relative)."""
    months = max(1, min(int(months), 60))
    pivot = _month(on)
    start, end = _add_months(pivot, -months), _add_months(pivot, months)
    counts = _counts(start, end, getattr(provider, "pk", provider))
    # Months that have not begun yet are not zeros: the after window stops at this month.
    this_month = _month(clock.today())
    windows = {
        "before": months_between(start, min(pivot, _add_months(this_month, 1))),
        "after": months_between(pivot, min(end, _add_months(this_month, 1))),
    }
    result: dict = {"date": on.isoformat(), "months": months, "measures": {}}
    for measure in MEASURES:
        sides = {}
        for side, ms in windows.items():
            series = [counts.get((measure, m, None), 0) for m in ms]
            sides[side] = {
                "per_month": {m.strftime("%Y-%m"): n for m, n in zip(ms, series, strict=True)},
                "mean": round(sum(series) / len(series), 2) if series else None,
            }
        before, after = sides["before"]["mean"], sides["after"]["mean"]
        known = before is not None and after is not None
        result["measures"][measure] = {
            **sides,
            "change": round(after - before, 2) if known else None,
            "change_share": round((after - before) / before, 4) if known and before else None,
        }
    all_changes = changes() if known_changes is None else known_changes
    in_window = [c for c in all_changes if start <= c["date"] < end]
    result["changes_in_window"] = [{**c, "date": c["date"].isoformat()} for c in in_window]
    result["confounded"] = len(in_window) >= 2
    return result
