"""The worker heartbeat: a task that does nothing but prove a worker picked it up."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

HEARTBEAT_TASK_PATH = "csgrants.ops.tasks.heartbeat"
# Finished heartbeats are only evidence for a while; older ones are removed by the next one.
HEARTBEAT_KEEP = dt.timedelta(hours=1)


@task()
def heartbeat() -> str:
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    DBTaskResult.objects.finished().filter(
        task_path=HEARTBEAT_TASK_PATH, finished_at__lt=now - HEARTBEAT_KEEP
    ).delete()
    return now.isoformat()
