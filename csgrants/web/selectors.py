"""Reads behind the web screens. Every list is one query for the page plus one count, whatever
the page size: related rows are joined, the outcome of the latest check run is a correlated
subquery evaluated only for the rows on the page."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from csgrants.applications.models import OPEN_STATUSES, Application, CheckResult, CheckRun, Status
from csgrants.core.calendar import WorkingCalendar
from csgrants.core.models import AuditEvent

SEVERITY = Case(
    When(outcome=CheckResult.Outcome.FAIL, then=Value(0)),
    When(outcome=CheckResult.Outcome.WARN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def with_check_outcome(qs: QuerySet) -> QuerySet:
    """Annotate `check_outcome`: the worst outcome (fail > warn > pass) of the latest check run,
    None when the checks never ran."""
    latest_run = (
        CheckRun.objects.filter(application=OuterRef("pk"))
        .order_by("-run_at", "-id")
        .values("id")[:1]
    )
    worst = (
        CheckResult.objects.filter(run_id=OuterRef("latest_run_id"))
        .annotate(severity=SEVERITY)
        .order_by("severity", "id")
        .values("outcome")[:1]
    )
    return qs.annotate(latest_run_id=Subquery(latest_run)).annotate(check_outcome=Subquery(worst))


def _list_base() -> QuerySet:
    return Application.objects.select_related("provider", "enterprise", "package").only(
        "reference",
        "status",
        "cost_eur",
        "subsidy_eur",
        "submitted_on",
        "decision_due_on",
        "created_at",
        "updated_at",
        "provider__name",
        "provider__code",
        "enterprise__name",
        "enterprise__number",
        "package__code",
        "package__name_nl",
        "package__name_en",
        "enterprise_kind",
        "rate_pct",
    )


def _search(qs: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()
    if not q:
        return qs
    digits = "".join(c for c in q if c.isdigit())
    cond = Q(reference__icontains=q) | Q(enterprise__name__icontains=q)
    if len(digits) >= 4:
        # Enterprise numbers are stored as 0403.170.701; match what was typed with or without dots.
        formatted = (
            ".".join([digits[:4], digits[4:7], digits[7:]]).strip(".")
            if len(digits) > 4
            else digits
        )
        cond |= Q(enterprise__number__startswith=formatted)
    return qs.filter(cond)


def review_queue(
    *, provider: str = "", package: str = "", outcome: str = "", q: str = "", status: str = ""
) -> QuerySet:
    """Open files (submitted, information requested), oldest due date first."""
    statuses = [status] if status in OPEN_STATUSES else list(OPEN_STATUSES)
    qs = with_check_outcome(_list_base().filter(status__in=statuses))
    if provider:
        qs = qs.filter(provider__code=provider)
    if package:
        qs = qs.filter(package__code=package)
    if outcome in ("pass", "warn", "fail"):
        qs = qs.filter(check_outcome=outcome)
    elif outcome == "none":
        qs = qs.filter(check_outcome__isnull=True)
    qs = _search(qs, q)
    return qs.order_by("decision_due_on", "submitted_on", "id")


WAITING_ON_PROVIDER = (Status.INFO_REQUESTED, Status.DRAFT)


def provider_applications(
    *, provider, status: str = "", package: str = "", q: str = ""
) -> QuerySet:
    """A provider's own files: what waits on them first (information requests, drafts), then
    the others by due date, newest first where there is none."""
    qs = _list_base().filter(provider=provider)
    if status:
        qs = qs.filter(status=status)
    if package:
        qs = qs.filter(package__code=package)
    qs = _search(qs, q)
    priority = Case(
        When(status=Status.INFO_REQUESTED, then=Value(0)),
        When(status=Status.DRAFT, then=Value(1)),
        When(status=Status.SUBMITTED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return qs.annotate(priority=priority).order_by("priority", "-created_at", "-id")


def due_flag(due: date | None, today: date, soon_limit: date) -> str:
    """'overdue' (red), 'soon' (orange: due within two working days) or ''."""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    if due <= soon_limit:
        return "soon"
    return ""


def soon_limit(calendar: WorkingCalendar, today: date) -> date:
    return calendar.add_working_days(today, 2)


def application_detail(reference: str) -> Application:
    """One application with everything its page shows, in a fixed number of queries."""
    from django.db.models import Prefetch

    return (
        Application.objects.select_related(
            "provider", "enterprise", "package", "current_package", "policy", "created_by"
        )
        .prefetch_related(
            "extensions",
            Prefetch(
                "check_runs",
                queryset=CheckRun.objects.select_related("actor").prefetch_related("results"),
            ),
            Prefetch("history"),
            Prefetch("info_requests"),
            Prefetch("decisions", queryset=application_decisions_qs()),
        )
        .get(reference=reference)
    )


def application_decisions_qs():
    from csgrants.applications.models import Decision

    return Decision.objects.select_related("decided_by").prefetch_related("reasons")


def audit_trail(application: Application) -> QuerySet:
    return AuditEvent.objects.filter(
        Q(object_type="applications.application", object_id=application.reference)
    ).order_by("created_at", "id")
