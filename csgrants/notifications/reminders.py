"""The daily reminders (run by cron through `manage.py send_reminders`, or as the task
`send_reminders`):

- reviewers get one digest each, in their language, listing the submitted files whose decision
  is overdue and those due within 2 working days (weekends, Belgian legal holidays, 11 July and
  the configured closing days do not count), and the de minimis register entries past their
  due date; at most one digest per reviewer per day;
- budget managers get one digest each, in their language, when a provider's budget may run out
  within 8 weeks (the P10 date of the budget runway, budgets.runway, falls within 8 weeks);
  at most one per budget manager per day;
- providers get a reminder per running trajectory whose final report is late (the policy's
  final_report_term_days after the start), repeated every CSGRANTS_REMINDER_INTERVAL_DAYS days.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

from csgrants.applications.selectors import decisions_due, final_reports_late
from csgrants.core import clock
from csgrants.core.calendar import default_calendar
from csgrants.notifications import mail
from csgrants.notifications.models import SentMail

DIGEST = "reviewer_digest"
BUDGET_DIGEST = "budget_digest"
LATE = "final_report_late"


def reviewer_recipients() -> list[mail.Recipient]:
    from csgrants.accounts.models import Role, User

    users = User.objects.filter(role=Role.REVIEWER, is_active=True).exclude(email="").order_by("id")
    return [mail.Recipient(u.email, mail.language_of(u.language)) for u in users]


def digest_send(on: date) -> int:
    from csgrants.documents.deminimis import overdue_entries

    flags = decisions_due(on)
    register_overdue = overdue_entries(on)  # de minimis register entries past their 20 days
    if not flags and not register_overdue:
        return 0
    already = set(
        SentMail.objects.filter(event=DIGEST, sent_on=on).values_list("recipient", flat=True)
    )
    recipients = [r for r in reviewer_recipients() if r.email not in already]
    return mail.send(
        DIGEST,
        recipients,
        lambda lang: {
            "on": on,
            "overdue": flags.overdue,
            "due_soon": flags.due_soon,
            "register_overdue": register_overdue,
        },
        sent_on=on,
    )


def budget_manager_recipients() -> list[mail.Recipient]:
    from csgrants.accounts.models import Role, User

    users = (
        User.objects.filter(role=Role.BUDGET_MANAGER, is_active=True)
        .exclude(email="")
        .order_by("id")
    )
    return [mail.Recipient(u.email, mail.language_of(u.language)) for u in users]


def budget_digest_send(on: date) -> int:
    """The providers whose budget may run out within 8 weeks (P10 of the runway), to every
    budget manager once a day; nothing when none is flagged."""
    from csgrants.budgets.runway import runway

    recipients = budget_manager_recipients()
    if not recipients:
        return 0
    already = set(
        SentMail.objects.filter(event=BUDGET_DIGEST, sent_on=on).values_list("recipient", flat=True)
    )
    recipients = [r for r in recipients if r.email not in already]
    if not recipients:
        return 0
    flagged = runway(on).warnings()
    if not flagged:
        return 0
    rows = [
        {
            "provider": p,
            "available": f.available,
            "p10": f.exhaustion[0],
            "p50": f.exhaustion[1],
            "exhausted": f.reason == "exhausted",
        }
        for p, f in flagged
    ]
    return mail.send(BUDGET_DIGEST, recipients, lambda lang: {"on": on, "rows": rows}, sent_on=on)


def late_reports_send(on: date) -> int:
    interval = getattr(settings, "CSGRANTS_REMINDER_INTERVAL_DAYS", 7)
    sent = 0
    for application, _due in final_reports_late(on):
        recent = SentMail.objects.filter(
            event=LATE, application=application, sent_on__gt=on - timedelta(days=interval)
        )
        if recent.exists():
            continue
        sent += mail.notify(LATE, application.pk, sent_on=on)
    return sent


def reminders_send(*, on: date | None = None, force: bool = False) -> dict:
    """Send today's reminders. On a day the agency is closed nothing goes out unless `force`:
    nobody reads a digest on Easter Monday, and the next working day's run catches up."""
    on = on or clock.today()
    if not force and not default_calendar().is_working_day(on):
        return {
            "date": on.isoformat(),
            "skipped": "closed",
            "digests": 0,
            "budget_digests": 0,
            "late_reports": 0,
        }
    return {
        "date": on.isoformat(),
        "digests": digest_send(on),
        "budget_digests": budget_digest_send(on),
        "late_reports": late_reports_send(on),
    }
