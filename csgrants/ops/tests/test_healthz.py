import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError
from django.test import override_settings

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_healthz_ok_with_in_process_tasks(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["worker"]["status"] == "skipped"


@pytest.mark.django_db
def test_healthz_needs_no_login_and_no_otp(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, CSGRANTS_WORKER_MAX_LAG_SECONDS=300)
def test_worker_heartbeat_goes_stale_without_a_worker_and_recovers_when_one_runs(
    client, monkeypatch
):
    # The real worker command, inside the test's transaction: its periodic connection recycling
    # would close the connection that holds the transaction.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    from django_tasks_db.models import DBTaskResult

    from csgrants.ops.tasks import HEARTBEAT_TASK_PATH

    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        body = client.get("/healthz").json()
        assert body["checks"]["worker"]["status"] == "ok"
        assert body["checks"]["worker"]["last_heartbeat_at"] is None
        assert DBTaskResult.objects.ready().filter(task_path=HEARTBEAT_TASK_PATH).count() == 1

        # No worker runs: the heartbeat waits, and after the allowed lag the check fails.
        traveller.shift(dt.timedelta(seconds=301))
        response = client.get("/healthz")
        assert response.status_code == 503
        worker = response.json()["checks"]["worker"]
        assert worker["status"] == "fail"
        assert worker["queue_lag_seconds"] == pytest.approx(301, abs=1)
        # Only one heartbeat is kept queued, however often the probe asks.
        assert DBTaskResult.objects.ready().filter(task_path=HEARTBEAT_TASK_PATH).count() == 1

        # A worker takes the queue: healthy again, with evidence of the last heartbeat.
        call_command("db_worker", "--batch", "--no-startup-delay")
        response = client.get("/healthz")
        assert response.status_code == 200
        worker = response.json()["checks"]["worker"]
        assert worker["status"] == "ok"
        assert worker["last_heartbeat_at"].startswith("2026-03-02T09:05:01")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from csgrants.ops import health

    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
    assert body["checks"]["worker"]["status"] == "unknown"


@pytest.mark.django_db
def test_healthz_can_limit_checks_to_the_database(client, monkeypatch):
    from csgrants.ops import health

    monkeypatch.setitem(health.CHECKS, "worker", lambda: {"status": "fail"})
    assert client.get("/healthz").status_code == 503
    response = client.get("/healthz?checks=database")
    assert response.status_code == 200
    assert list(response.json()["checks"]) == ["database"]
