"""Reminder selection around holidays, the reviewers' digest and the late final reports."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from conftest import make_user
from csgrants.accounts.models import Role
from csgrants.applications import trajectory
from csgrants.applications.selectors import decisions_due, final_reports_late
from csgrants.applications.tests.after_helpers import at, report_data
from csgrants.notifications.reminders import reminders_send


@pytest.fixture
def reviewers(db):
    nl = make_user("rev-nl", Role.REVIEWER)
    nl.email, nl.language = "els@agency.example", "nl"
    nl.save()
    en = make_user("rev-en", Role.REVIEWER)
    en.email, en.language = "tom@agency.example", "en"
    en.save()
    budget = make_user("bm", Role.BUDGET_MANAGER)
    budget.email = "bm@agency.example"
    budget.save()
    return {"nl": nl.email, "en": en.email}


def submitted_on(make_application, day, **kw):
    with at(day):
        return make_application("submitted", **kw)


def test_due_soon_counts_working_days_across_easter_monday(make_application, funded):
    # Submitted Mon 7 and Tue 8 April 2025: due Tue 22 and Wed 23 April (Easter Monday 21/4 skipped).
    a = submitted_on(make_application, dt.date(2025, 4, 7))
    b = submitted_on(make_application, dt.date(2025, 4, 8))
    late = submitted_on(make_application, dt.date(2025, 3, 31))
    assert (a.decision_due_on, b.decision_due_on, late.decision_due_on) == (
        dt.date(2025, 4, 22),
        dt.date(2025, 4, 23),
        dt.date(2025, 4, 14),
    )
    # Thursday 17 April: Fri 18 (1), Mon 21 holiday, Tue 22 (2): a is due within 2 working days,
    # b (3 working days, 6 calendar days away) is not yet.
    flags = decisions_due(dt.date(2025, 4, 17))
    assert [x.reference for x in flags.due_soon] == [a.reference]
    assert [x.reference for x in flags.overdue] == [late.reference]
    # Friday 18 April: Tue 22 is the first working day after, Wed 23 the second.
    flags = decisions_due(dt.date(2025, 4, 18))
    assert [x.reference for x in flags.due_soon] == [a.reference, b.reference]


def test_due_soon_around_the_flemish_community_day(make_application, funded):
    # 11 July 2025 is a Friday and a holiday for the agency.
    a = submitted_on(make_application, dt.date(2025, 6, 30))
    b = submitted_on(make_application, dt.date(2025, 7, 1))
    assert (a.decision_due_on, b.decision_due_on) == (dt.date(2025, 7, 15), dt.date(2025, 7, 16))
    flags = decisions_due(dt.date(2025, 7, 10))  # Thu: Mon 14 (1), Tue 15 (2)
    assert [x.reference for x in flags.due_soon] == [a.reference]
    assert decisions_due(dt.date(2025, 7, 16)).overdue == [a]


def test_paused_and_decided_files_are_not_flagged(make_application, funded):
    with at(dt.date(2025, 4, 7)):
        make_application("info_requested")
        make_application("approved")
    assert not decisions_due(dt.date(2025, 4, 30))


def test_digest_one_mail_per_reviewer_in_their_language_once_a_day(
    make_application, funded, reviewers
):
    a = submitted_on(make_application, dt.date(2025, 4, 7))
    late = submitted_on(make_application, dt.date(2025, 3, 31))
    mail.outbox.clear()
    outcome = reminders_send(on=dt.date(2025, 4, 17))
    assert outcome["digests"] == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == set(reviewers.values())  # not the budget manager
    nl, en = sent[reviewers["nl"]], sent[reviewers["en"]]
    assert nl.subject == "Dossiers te beslissen (17/04/2025): 1 te laat, 1 binnen 2 werkdagen"
    assert en.subject == "Files to decide (17/04/2025): 1 overdue, 1 within 2 working days"
    assert f"{late.reference} | Enterprise" in en.body and "due 14/04/2025" in en.body
    assert f"{a.reference} | Enterprise" in nl.body and "uiterlijk 22/04/2025" in nl.body
    # A second run the same day (cron retried) sends nothing more.
    assert reminders_send(on=dt.date(2025, 4, 17))["digests"] == 0
    assert len(mail.outbox) == 2


def test_no_digest_on_easter_monday_and_none_without_flags(make_application, funded, reviewers):
    submitted_on(make_application, dt.date(2025, 4, 7))
    mail.outbox.clear()
    assert reminders_send(on=dt.date(2025, 4, 21))["skipped"] == "closed"
    assert reminders_send(on=dt.date(2025, 4, 19))["skipped"] == "closed"  # Saturday
    assert reminders_send(on=dt.date(2025, 4, 1))["digests"] == 0  # nothing due yet
    assert mail.outbox == []
    assert reminders_send(on=dt.date(2025, 4, 21), force=True)["digests"] == 2


def test_late_final_report_reminder_follows_the_policy_term_and_interval(
    make_application, funded, provider_user, reviewer, settings
):
    settings.CSGRANTS_REMINDER_INTERVAL_DAYS = 7
    provider_user.email, provider_user.language = "an@provider.example", "en"
    provider_user.save()
    with at(dt.date(2023, 3, 1)):
        app = make_application("in_progress")  # started 1/3/2023; policy term 365 days
    due = dt.date(2024, 2, 29)
    assert trajectory.final_report_due_on(app) == due
    assert final_reports_late(due) == []
    assert final_reports_late(due + dt.timedelta(days=1)) == [(app, due)]
    mail.outbox.clear()
    # Friday 1 March 2024: first reminder.
    assert reminders_send(on=dt.date(2024, 3, 1))["late_reports"] == 1
    (m,) = mail.outbox
    assert m.to == ["an@provider.example"]
    assert m.subject == f"Reminder: final report {app.reference} is late"
    assert "started on 01/03/2023" in m.body and "due by 29/02/2024" in m.body
    # Not again within the interval; again after it.
    assert reminders_send(on=dt.date(2024, 3, 4))["late_reports"] == 0
    assert reminders_send(on=dt.date(2024, 3, 8))["late_reports"] == 1
    # A report sent back puts the file in progress again; the term still runs from the start.
    with at(dt.date(2024, 3, 11)):
        trajectory.final_report_submit(actor=provider_user, application=app, **report_data())
        assert final_reports_late(dt.date(2024, 3, 12)) == []
        trajectory.final_report_send_back(actor=reviewer, application=app, note="Onvolledig.")
    assert final_reports_late(dt.date(2024, 3, 12)) == [(app, due)]


def test_final_report_term_is_configurable_per_policy(make_application, funded):
    from csgrants.catalogue.models import PolicyVersion

    PolicyVersion.objects.filter(valid_from=dt.date(2023, 1, 1)).update(final_report_term_days=90)
    with at(dt.date(2023, 3, 1)):
        app = make_application("in_progress")
    assert trajectory.final_report_due_on(app) == dt.date(2023, 5, 30)
    assert final_reports_late(dt.date(2023, 5, 31)) == [(app, dt.date(2023, 5, 30))]


def test_send_reminders_command(make_application, funded, reviewers):
    submitted_on(make_application, dt.date(2025, 4, 7))
    out = StringIO()
    call_command("send_reminders", "--date", "2025-04-17", stdout=out)
    assert (
        "2025-04-17: 2 reviewer digest(s), 0 budget digest(s), 0 late final report reminder(s)"
        in out.getvalue()
    )
    out = StringIO()
    call_command("send_reminders", "--date", "2025-04-21", stdout=out)
    assert "closed" in out.getvalue()
    out = StringIO()
    call_command("send_reminders", "--date", "2025-04-18", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued ")
    assert {m.subject[:35] for m in mail.outbox} >= {"Files to decide (18/04/2025): 0 ove"}
