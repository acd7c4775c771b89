"""Background tasks (Django's tasks API). Production runs them on the database backend with its
worker (`manage.py db_worker`); tests and `make run` use the immediate backend. Tasks take ids,
never model instances, and reload what they need."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notification(event: str, object_id: int) -> int:
    from csgrants.notifications.mail import notify

    return notify(event, object_id)


@task()
def send_reminders(on: str | None = None) -> dict:
    """The daily reminders: the reviewers' digest and the late final reports. `on` is an ISO
    date (default today)."""
    from datetime import date

    from csgrants.notifications.reminders import reminders_send

    return reminders_send(on=date.fromisoformat(on) if on else None)
