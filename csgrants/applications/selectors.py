"""Reads about files after approval: what is due or overdue for the reviewers' digest, which
final reports are late, and the final-report statistics of a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q

from csgrants.applications.models import (
    MATURITY_FIELDS,
    Application,
    CyFunFunction,
    FinalReport,
    MaturityScore,
    Status,
    StatusChange,
)
from csgrants.core.calendar import WorkingCalendar, default_calendar

DUE_SOON_WORKING_DAYS = 2


def policy_judged_a_file(policy_id: int) -> bool:
    """Whether a file was judged under the policy version (it is then in use: never edited)."""
    return Application.objects.filter(policy_id=policy_id).exists()


@dataclass(frozen=True)
class DueFlags:
    overdue: list[Application]
    due_soon: list[Application]

    def __bool__(self):
        return bool(self.overdue or self.due_soon)


def decisions_due(
    on: date, *, within: int = DUE_SOON_WORKING_DAYS, calendar: WorkingCalendar | None = None
) -> DueFlags:
    """Submitted files whose decision is overdue (due before `on`) or due within `within` working
    days (due on `on` up to the `within`-th working day after it). Files waiting for an answer to
    an information request are left out: their clock is paused."""
    calendar = calendar or default_calendar()
    limit = calendar.add_working_days(on, within)
    qs = (
        Application.objects.filter(status=Status.SUBMITTED, decision_due_on__isnull=False)
        .select_related("provider", "enterprise")
        .order_by("decision_due_on", "reference")
    )
    return DueFlags(
        overdue=list(qs.filter(decision_due_on__lt=on)),
        due_soon=list(qs.filter(decision_due_on__gte=on, decision_due_on__lte=limit)),
    )


def final_reports_late(on: date) -> list[tuple[Application, date]]:
    """Running trajectories whose final report was due before `on`: the term of the file's policy
    (final_report_term_days, calendar days) counted from the day the trajectory first started."""
    apps = list(
        Application.objects.filter(status=Status.IN_PROGRESS).select_related("policy", "provider")
    )
    starts: dict[int, date] = {}
    for app_id, started in (
        StatusChange.objects.filter(
            application__in=apps, from_status=Status.APPROVED, to_status=Status.IN_PROGRESS
        )
        .order_by("at", "id")
        .values_list("application_id", "on")
    ):
        starts.setdefault(app_id, started)
    late = []
    for app in apps:
        first = starts.get(app.pk)
        if first is None:
            continue
        due = first + timedelta(days=app.policy.final_report_term_days if app.policy else 365)
        if due < on:
            late.append((app, due))
    late.sort(key=lambda pair: (pair[1], pair[0].reference))
    return late


def _avg(value) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def final_reports_section(year: int, provider=None) -> dict:
    """Statistics of the final reports accepted in `year` (by the date the agency accepted them):
    count, mean maturity before and after per CyberFundamentals function (documentation and
    implementation), the share of enterprises that made progress and that are convinced to keep
    investing (0-1), and the mean satisfaction (1-5). Averages and shares are rounded to two
    decimals (report contract); with no reports the means are null."""
    reports = FinalReport.objects.filter(
        status=FinalReport.ReportStatus.ACCEPTED, reviewed_on__year=year
    )
    if provider is not None:
        reports = reports.filter(application__provider=provider)
    agg = reports.aggregate(
        count=Count("id"),
        progress=Count("id", filter=Q(made_progress=True)),
        invest=Count("id", filter=Q(keep_investing=True)),
        satisfaction=Avg("satisfaction_score"),
    )
    count = agg["count"]
    by_function = {
        row["function"]: row
        for row in MaturityScore.objects.filter(report__in=reports)
        .values("function")
        .annotate(**{f: Avg(f) for f in MATURITY_FIELDS})
    }
    maturity = {}
    for function in CyFunFunction.values:
        row = by_function.get(function, {})
        maturity[function] = {
            aspect: {
                "before": _avg(row.get(f"{aspect}_before")),
                "after": _avg(row.get(f"{aspect}_after")),
            }
            for aspect in ("documentation", "implementation")
        }
    return {
        "count": count,
        "maturity": maturity,
        "made_progress_share": _avg(Decimal(agg["progress"]) / count) if count else None,
        "keep_investing_share": _avg(Decimal(agg["invest"]) / count) if count else None,
        "mean_satisfaction": _avg(agg["satisfaction"]),
    }
