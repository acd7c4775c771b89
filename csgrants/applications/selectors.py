"""Reads about files after approval: what is due or overdue for the reviewers' digest, which
final reports are late, and the final-report statistics of a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q

from csgrants.applications.models import (
    MATURITY_FIELDS,
    Application,
    CyFunFunction,
    FinalReport,
    MaturityScore,
    Status,
    StatusChange,
)
from csgrants.applications.statuses import PENDING_STATUSES
from csgrants.core.calendar import WorkingCalendar, default_calendar

DUE_SOON_WORKING_DAYS = 2


def pending_elsewhere_exists() -> Exists:
    """Whether another file for the row's enterprise, of any provider, is pending (waiting for
    its enterprise's confirmation or for a decision): only one of them can become a trajectory
    (issue 20). An annotation, so that a list flags its rows in its own one query."""
    return Exists(
        Application.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), status__in=PENDING_STATUSES
        ).exclude(pk=OuterRef("pk"))
    )


def pending_elsewhere(application: Application) -> list[Application]:
    """The enterprise's other pending files, with their providers: for the agency's eyes only
    (a provider is told that one exists, never whose it is)."""
    return list(
        Application.objects.filter(
            enterprise_id=application.enterprise_id, status__in=PENDING_STATUSES
        )
        .exclude(pk=application.pk)
        .select_related("provider")
        .only("reference", "status", "provider__name")
        .order_by("reference")
    )


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


def confirmation_wait_section(year: int, provider=None) -> dict:
    """How long providers' files waited for their enterprise (issue 22): files whose enterprise
    confirmed in `year` (a re-confirmation after a change not counted), with the calendar days
    from the first link of that submission to the confirmation, mean, median and maximum; and
    the files still waiting now. The decision term, and the processing time, run from the
    confirmation (`submitted_on`)."""
    from csgrants.applications.models import Application, Confirmation, ConfirmationRequest, Status

    confirmed = Confirmation.objects.filter(
        kind=Confirmation.Kind.CONFIRMED,
        request__reconfirmation=False,
        on__gte=date(year, 1, 1),
        on__lt=date(year + 1, 1, 1),
    )
    waiting = Application.objects.filter(status=Status.AWAITING_CONFIRMATION)
    if provider is not None:
        confirmed = confirmed.filter(application__provider=provider)
        waiting = waiting.filter(provider=provider)
    rows = list(confirmed.values_list("application_id", "on", "request__requested_on"))
    # The first link of the submission a confirmation ends: the earliest link sent after the
    # file's previous confirmation (resends replace links but do not restart the wait).
    firsts: dict[int, list] = {}
    for app_id, requested_on, reconfirmation in ConfirmationRequest.objects.filter(
        application_id__in={r[0] for r in rows}
    ).values_list("application_id", "requested_on", "reconfirmation"):
        if not reconfirmation:
            firsts.setdefault(app_id, []).append(requested_on)
    waits = []
    for app_id, on, used_request_on in rows:
        earlier = [d for d in firsts.get(app_id, []) if d <= used_request_on]
        previous = [
            c_on for a, c_on, _r in rows if a == app_id and c_on < on
        ]  # an earlier confirmation of the same file (withdrawn since)
        floor = max(previous) if previous else None
        start = min((d for d in earlier if floor is None or d >= floor), default=used_request_on)
        waits.append((on - start).days)
    waits.sort()
    n = len(waits)
    median = None
    if n:
        median = waits[n // 2] if n % 2 else (waits[n // 2 - 1] + waits[n // 2]) / 2
    return {
        "confirmed": n,
        "mean_days_waited": round(sum(waits) / n, 2) if n else None,
        "median_days_waited": median,
        "max_days_waited": waits[-1] if waits else None,
        "waiting_now": waiting.count(),
    }
