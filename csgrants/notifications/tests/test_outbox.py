"""With the database task backend (production) the notification task is written in the same
transaction as the change: it commits or rolls back with it."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from csgrants.notifications.hooks import notify_after_commit

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_task_row_is_part_of_the_transaction(make_application):
    application = make_application("submitted")  # which queued its own task already
    DBTaskResult.objects.all().delete()
    with transaction.atomic():
        notify_after_commit("submitted", application)
        queued = DBTaskResult.objects.get()
        assert queued.task_path.endswith("send_notification")
        assert queued.args_kwargs["args"] == ["submitted", application.pk]
        transaction.set_rollback(True)
    assert not DBTaskResult.objects.exists()  # rolled back with the change: nothing is sent

    with transaction.atomic():
        notify_after_commit("submitted", application)
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_immediate_backend_waits_for_the_commit(
    make_application, django_capture_on_commit_callbacks
):
    application = make_application("submitted")
    with django_capture_on_commit_callbacks() as callbacks:
        notify_after_commit("submitted", application)
    assert len(callbacks) == 1
    assert not DBTaskResult.objects.exists()
