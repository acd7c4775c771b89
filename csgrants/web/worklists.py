"""What waits for the agency's staff: one registry of work lists.

Each list names who sees it, which files are on it and from when they wait. `rows()` gives a
narrow query of (application id, waiting since, subject id) tuples in due-date order, so that a
page of a list is one narrow indexed query, one count and one query for the page's rows
(`selectors.rows_for`), whatever the number of files. The due date follows from the date the
item started waiting (`due()`); `summary()` gives the count and the oldest waiting item of every
list the user may see, one query per list, for the staff home page.

A new list is one more `WorkList(...)` in `WORK_LISTS`: the home page, the list page, the browser tests and bench/page_budget.py take it
from there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Min, OuterRef, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from csgrants.accounts.models import Role
from csgrants.applications.confirmation import TOKEN_VALIDITY
from csgrants.applications.models import (
    Amendment,
    Application,
    ConfirmationRequest,
    FinalReport,
    Status,
)
from csgrants.core.calendar import WorkingCalendar

DECIDERS = frozenset({Role.REVIEWER, Role.ADMIN})
PAYERS = frozenset({Role.REVIEWER, Role.BUDGET_MANAGER, Role.ADMIN})

# The agency's own terms for what the domain leaves open: an amendment, a final report and an
# answer to an information request are handled within the decision term (10 working days); a
# payment is made within 30 calendar days of the accepted report (the legal payment term of a
# public authority, Belgian law of 2 August 2002 on late payment).
REVIEW_TERM_WORKING_DAYS = 10
PAYMENT_TERM_DAYS = 30


def _working_days(n: int) -> Callable[[date, WorkingCalendar], date]:
    return lambda since, calendar: calendar.add_working_days(since, n)


def _calendar_days(n: int) -> Callable[[date, WorkingCalendar], date]:
    return lambda since, calendar: since + timedelta(days=n)


@dataclass(frozen=True)
class WorkList:
    slug: str
    title: Promise
    description: Promise
    empty: Promise
    roles: frozenset
    # () -> QuerySet of dicts {"app": application pk, "since": date}, in due order.
    query: Callable[[], QuerySet]
    # (since, calendar) -> due date
    due: Callable[[date, WorkingCalendar], date]
    # What the row is about, shown next to the file ("upgrade to PLUS"), or "" for the file.
    subject: str = ""
    # The rows carry their due date (`due_on`) instead of deriving it from `since`.
    stored_due: bool = False

    def visible_to(self, user) -> bool:
        return user.is_authenticated and user.effective_role in self.roles

    def rows(self) -> QuerySet:
        return self.query()


def _files_to_decide() -> QuerySet:
    return (
        Application.objects.filter(status=Status.SUBMITTED)
        .order_by("decision_due_on", "submitted_on", "pk")
        .values(app=F("pk"), since=F("submitted_on"), due_on=F("decision_due_on"))
    )


def _amendments_to_decide() -> QuerySet:
    return (
        Amendment.objects.filter(status=Amendment.AmendmentStatus.SUBMITTED)
        .order_by("requested_on", "pk")
        .values("kind", "package_id", app=F("application_id"), since=F("requested_on"))
    )


def _reports_to_review() -> QuerySet:
    return (
        FinalReport.objects.filter(
            status=FinalReport.ReportStatus.SUBMITTED, application__status=Status.COMPLETED
        )
        .order_by("submitted_on", "pk")
        .values(app=F("application_id"), since=F("submitted_on"))
    )


def _payments_to_make() -> QuerySet:
    return (
        FinalReport.objects.filter(
            status=FinalReport.ReportStatus.ACCEPTED, application__status=Status.COMPLETED
        )
        .order_by("reviewed_on", "pk")
        .values(app=F("application_id"), since=F("reviewed_on"))
    )


def _info_unanswered() -> QuerySet:
    return (
        Application.objects.filter(status=Status.INFO_REQUESTED)
        .order_by("paused_since", "pk")
        .values(app=F("pk"), since=F("paused_since"))
    )


def _awaiting_enterprise() -> QuerySet:
    """Files the enterprise has not confirmed yet, from the day its current link was mailed:
    staff see who is stuck before the link expires (the provider can resend it)."""
    sent = ConfirmationRequest.objects.filter(
        application=OuterRef("pk"), used_at__isnull=True, superseded_at__isnull=True
    ).order_by("-requested_at", "-pk")
    return (
        Application.objects.filter(status=Status.AWAITING_CONFIRMATION)
        .annotate(since=Subquery(sent.values("requested_on")[:1]))
        .order_by(F("since").asc(nulls_first=True), "pk")
        .values("since", app=F("pk"))
    )


WORK_LISTS: list[WorkList] = [
    WorkList(
        slug="beslissen",
        title=_("Files to decide"),
        description=_("Submitted files waiting for a decision, by decision due date."),
        empty=_("No file waits for a decision."),
        roles=DECIDERS,
        query=_files_to_decide,
        due=_working_days(REVIEW_TERM_WORKING_DAYS),
        stored_due=True,
    ),
    WorkList(
        slug="wijzigingen",
        title=_("Amendments to decide"),
        description=_("Upgrades and extension packages proposed after approval."),
        empty=_("No amendment waits for a decision."),
        roles=DECIDERS,
        query=_amendments_to_decide,
        due=_working_days(REVIEW_TERM_WORKING_DAYS),
        subject="amendment",
    ),
    WorkList(
        slug="eindverslagen",
        title=_("Final reports to review"),
        description=_("Final reports filed by the service providers: accept or send back."),
        empty=_("No final report waits for review."),
        roles=DECIDERS,
        query=_reports_to_review,
        due=_working_days(REVIEW_TERM_WORKING_DAYS),
    ),
    WorkList(
        slug="betalingen",
        title=_("Payments to make"),
        description=_("Accepted final reports whose payment has not been recorded."),
        empty=_("No payment is waiting."),
        roles=PAYERS,
        query=_payments_to_make,
        due=_calendar_days(PAYMENT_TERM_DAYS),
    ),
    WorkList(
        slug="informatievragen",
        title=_("Unanswered information requests"),
        description=_("Files whose clock is paused until the service provider answers."),
        empty=_("No information request waits for an answer."),
        roles=DECIDERS,
        query=_info_unanswered,
        due=_working_days(REVIEW_TERM_WORKING_DAYS),
    ),
    WorkList(
        slug="wacht-op-onderneming",
        title=_("Files awaiting the enterprise"),
        description=_(
            "Filed files whose enterprise has not yet confirmed its declaration on honour; "
            "due when the mailed link expires."
        ),
        empty=_("No file waits for its enterprise."),
        roles=DECIDERS,
        query=_awaiting_enterprise,
        due=_calendar_days(TOKEN_VALIDITY.days),
    ),
]


def by_slug(slug: str) -> WorkList | None:
    return next((w for w in WORK_LISTS if w.slug == slug), None)


def visible(user) -> list[WorkList]:
    return [w for w in WORK_LISTS if w.visible_to(user)]


def summary(user, calendar: WorkingCalendar) -> list[dict]:
    """Per visible list: its count and the due date of its oldest item (one query per list)."""
    out = []
    for work in visible(user):
        first = "due_on" if work.stored_due else "since"
        agg = work.rows().order_by().aggregate(n=Count("pk"), first=Min(first))
        first_due = agg["first"]
        if first_due is not None and not work.stored_due:
            first_due = work.due(first_due, calendar)
        out.append({"list": work, "count": agg["n"], "first_due": first_due})
    return out


def due_of(work: WorkList, row: dict, calendar: WorkingCalendar) -> date | None:
    if work.stored_due:
        return row["due_on"]
    if row.get("since") is None:
        return None
    return work.due(row["since"], calendar)
