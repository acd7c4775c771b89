"""The one seam between the services and the mail: after the transaction commits, enqueue a
task with the event name and the id of the object; the task reloads it. Nothing leaves when the
transaction rolls back."""

from __future__ import annotations

from django.db import transaction


def notify_after_commit(event: str, obj) -> None:
    from csgrants.notifications.tasks import send_notification

    pk = obj.pk
    transaction.on_commit(lambda: send_notification.enqueue(event, pk))
