"""What /healthz checks, and why each check is honest.

- database: `SELECT 1` on the default connection. It fails when PostgreSQL is down or refuses
  connections, which is what the load balancer needs to know.
- worker: the task worker (`manage.py db_worker`) takes tasks from the database table of
  django-tasks-db. A worker that is dead or stuck leaves due tasks waiting, so the check
  measures the age of the oldest *due* task that no worker has taken ("lag"). To make that
  measure meaningful when nothing else is queued, every check makes sure one `heartbeat` task
  is queued: a live worker runs it within its poll interval, a dead worker lets it age. The
  worker counts as down when the lag passes WORKER_MAX_LAG_SECONDS (default 300). The time of
  the last heartbeat a worker completed is reported as evidence. With the in-process backends
  (immediate, in tests and `make run`) there is no worker to check: reported as "skipped".
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, Min, When
from django.utils import timezone


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not reachable" to the probe
        return {"status": "fail", "error": exc.__class__.__name__}
    return {"status": "ok", "duration_ms": round((time.monotonic() - started) * 1000, 1)}


def check_worker() -> dict:
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    from csgrants.ops.tasks import HEARTBEAT_TASK_PATH, heartbeat

    backend = task_backends["default"]
    if not isinstance(backend, DatabaseBackend):
        return {"status": "skipped", "detail": f"tasks run in-process ({type(backend).__name__})"}

    max_lag = settings.CSGRANTS_WORKER_MAX_LAG_SECONDS
    try:
        if not DBTaskResult.objects.ready().filter(task_path=HEARTBEAT_TASK_PATH).exists():
            heartbeat.enqueue()
        # A task is due from run_after, or from its enqueueing when it has no run_after.
        oldest_due = (
            DBTaskResult.objects.ready()
            .annotate(
                due=Case(
                    When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
                )
            )
            .aggregate(oldest=Min("due"))["oldest"]
        )
        last = (
            DBTaskResult.objects.successful()
            .filter(task_path=HEARTBEAT_TASK_PATH)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
    except Exception as exc:
        return {"status": "fail", "error": exc.__class__.__name__}
    now = timezone.now()
    lag = max(0.0, (now - oldest_due).total_seconds()) if oldest_due else 0.0
    return {
        "status": "ok" if lag <= max_lag else "fail",
        "queue_lag_seconds": round(lag, 1),
        "max_lag_seconds": max_lag,
        "last_heartbeat_at": last.isoformat() if last else None,
    }


CHECKS = {"database": check_database, "worker": check_worker}


def run_checks(names: list[str] | None = None) -> tuple[bool, dict]:
    results: dict = {}
    for name, check in CHECKS.items():
        if names and name not in names:
            continue
        if name != "database" and results.get("database", {}).get("status") == "fail":
            results[name] = {"status": "unknown", "detail": "database unreachable"}
            continue
        results[name] = check()
    healthy = all(r["status"] in ("ok", "skipped") for r in results.values())
    return healthy, results
