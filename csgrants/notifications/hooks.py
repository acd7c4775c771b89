"""The one seam between the services and the mail: a task with the event name and the id of the
object (the task reloads it), which runs only once the transaction has committed. Nothing leaves
when the transaction rolls back. The services do not call it: they announce their events
(applications.events) and this app's ready() subscribes this function.

A mail that states a decision (approval, rejection, stop, amendment decision, payment) names the
decision letter and its SHA-256: for those events the seam requests the letter instead, in the
decision's transaction and in the languages the recipients read; once the worker has stored it,
documents announces `letter_ready` and the mail follows."""

from __future__ import annotations

from django.db import transaction
from django_tasks_db.backend import DatabaseBackend


def notify_after_commit(event: str, obj) -> None:
    from csgrants.documents.services import LETTER_EVENTS, LETTER_READY, letter_request
    from csgrants.notifications.mail import EVENTS, letter_languages

    if event in LETTER_EVENTS:
        letter_request(event=event, obj=obj, languages=letter_languages(obj.application.provider))
    elif event == LETTER_READY:  # obj: the rendered LetterJob
        _enqueue_mail(obj.event, obj.payment_id if obj.event == "payment" else obj.decision_id)
    elif event in EVENTS:
        _enqueue_mail(event, obj.pk)


def _enqueue_mail(event: str, pk: int) -> None:
    from csgrants.notifications.tasks import send_notification

    if isinstance(send_notification.get_backend(), DatabaseBackend):
        # The queue is a table of the same database: the task row is written in the same
        # transaction as the change, so it commits or rolls back with it, the worker sees it
        # only after the commit, and no crash between a commit and a later enqueue can lose it
        # (it also saves a second commit per request).
        send_notification.enqueue(event, pk)
    else:
        # Other backends (the immediate one of tests and `make run`) would send at once.
        transaction.on_commit(lambda: send_notification.enqueue(event, pk))
