"""Daily reminders; schedule with cron, e.g. every morning at 07:00:

    0 7 * * *  cd /srv/csgrants && .venv/bin/python manage.py send_reminders

Without --enqueue it runs in this process; with --enqueue it hands the work to the task worker
(`manage.py db_worker`)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from csgrants.notifications.reminders import reminders_send
from csgrants.notifications.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Send the reviewers' digest of due and overdue files, the budget managers' digest of "
        "budgets that may run out within 8 weeks, and remind providers of late final reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as if today were this date (YYYY-MM-DD)")
        parser.add_argument(
            "--force", action="store_true", help="also on a day the agency is closed"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="enqueue the task instead of running it here"
        )

    def handle(self, *args, **options):
        on = None
        if options["date"]:
            try:
                on = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD")
        if options["enqueue"]:
            result = send_reminders.enqueue(on.isoformat() if on else None)
            self.stdout.write(f"enqueued {result.id}")
            return
        outcome = reminders_send(on=on, force=options["force"])
        if outcome.get("skipped"):
            self.stdout.write(
                f"{outcome['date']}: the agency is closed; nothing sent (use --force)"
            )
        else:
            self.stdout.write(
                f"{outcome['date']}: {outcome['digests']} reviewer digest(s), "
                f"{outcome['budget_digests']} budget digest(s), "
                f"{outcome['late_reports']} late final report reminder(s)"
            )
