"""Load test of the API: create-and-submit applications against gunicorn (2 workers) and
PostgreSQL, with locust run headless as a library. Loopback only, bounded in time and count.

    python bench/api_load.py [--duration 30] [--users 16] [--rate 130] [--max-requests 6000]

The script creates its own database (csg_api_bench, dropped afterwards unless --keep-db),
migrates it, makes a funded provider and an API token, starts gunicorn on 127.0.0.1, runs the
load (every request is `POST /api/v1/applications/` with `"submit": true` and an
Idempotency-Key, so each one files, prices, checks and submits a new application, which then
waits for its enterprise's confirmation (`awaiting_confirmation`, a mail task queued); with
--two-step a draft is filed and then submitted, two requests per application), prints
throughput, p50, p95, p99 and the error count, and stops everything it started.

Target: >= 100 requests/s with p95 < 200 ms and no errors. Throttling is raised for the run
(one token sends all the load); everything else is the production settings module.
"""

from __future__ import annotations

# locust patches the standard library for gevent; it must come first.
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, constant_throughput, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}

SETUP = """
import datetime as dt
from decimal import Decimal
from csgrants.accounts.models import User
from csgrants.budgets.services import allocation_create
from csgrants.catalogue.models import ServiceProvider
provider = ServiceProvider.objects.get(code="BENCH")
admin = User.objects.get(username="bench-admin")
allocation_create(actor=admin, provider=provider, amount_eur=Decimal("900000000.00"),
                  allocated_on=dt.date(2020, 1, 1), kind="initial")
"""


def enterprise_numbers(start: int):
    """Valid KBO numbers (97 - first eight digits mod 97), each used once so that concurrent
    requests never race to create the same enterprise."""
    for body in itertools.count(start):
        first8 = f"{body:08d}"
        yield f"{first8}{97 - body % 97:02d}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str) -> None:
    subprocess.run(
        [
            "psql",
            "-h",
            PG["host"],
            "-p",
            PG["port"],
            "-U",
            PG["user"],
            "-d",
            "postgres",
            "-qc",
            sql,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )
    return result.stdout or ""


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30, help="seconds of load (default 30)")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated clients")
    parser.add_argument(
        "--rate", type=float, default=130, help="target requests/s over all clients"
    )
    parser.add_argument(
        "--max-requests", type=int, default=6000, help="stop after this many requests"
    )
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load not counted")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (default 1: the sync worker; more use gthread, which "
        "measured slower here: the workers are CPU-bound and the threads contend for the GIL)",
    )
    parser.add_argument(
        "--two-step",
        action="store_true",
        help="file a draft, then submit it: two requests per application (the default is one "
        'request with "submit": true, the stricter reading of the target)',
    )
    parser.add_argument("--db", default="csg_api_bench")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csgrants.settings.production",
        # Persistent connections, as a production deployment would use: a new PostgreSQL
        # backend per request costs more than the request itself.
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{args.db}?conn_max_age=600",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE_USER": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    psql(f"DROP DATABASE IF EXISTS {args.db}")
    psql(f"CREATE DATABASE {args.db}")
    gunicorn = None
    try:
        print(f"migrating {args.db} ...", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "create_api_user", "bench-admin", "--role", "admin")
        token = (
            manage(
                env,
                "create_api_user",
                "bench-crm",
                "--role",
                "provider",
                "--provider",
                "BENCH",
                "--create-provider",
                "Bench provider",
                capture=True,
            )
            .strip()
            .splitlines()[-1]
        )
        manage(env, "shell", "-c", SETUP)

        port = free_port()
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "csgrants.wsgi:application",
                "--workers",
                "2",
                "--threads",
                str(args.threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        wait_for_port(port)
        print(
            f"gunicorn (2 workers x {args.threads} threads) on 127.0.0.1:{port}; load: {args.users} clients, target "
            f"{args.rate:g} req/s, {args.duration:g} s (+{args.warmup:g} s warm-up), at most "
            f"{args.max_requests} requests",
            flush=True,
        )
        return run_load(args, port, token, gunicorn.pid)
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            try:
                gunicorn.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(gunicorn.pid, signal.SIGKILL)
        if not args.keep_db:
            psql(f"DROP DATABASE IF EXISTS {args.db}")


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time (user + system) used so far by gunicorn (master and workers), PostgreSQL (every
    backend) and this process (locust): where a request's cost goes."""
    import psutil

    def used(proc) -> float:
        try:
            t = proc.cpu_times()
        except psutil.Error:
            return 0.0
        return t.user + t.system

    server = psutil.Process(server_pid)
    return {
        "gunicorn": used(server) + sum(used(c) for c in server.children(recursive=True)),
        "postgres": sum(
            used(p) for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"
        ),
        "locust": used(psutil.Process()),
    }


def run_load(args, port: int, token: str, server_pid: int) -> int:
    numbers = enterprise_numbers(2_000_000)

    class Provider(FastHttpUser):
        host = f"http://127.0.0.1:{port}"
        # --rate counts requests; a two-step task sends two.
        wait_time = constant_throughput(args.rate / args.users / (2 if args.two_step else 1))

        @task
        def create_and_submit(self):
            body = {
                "enterprise_number": next(numbers),
                "enterprise_name": "Bench NV",
                "enterprise_kind": "kmo",
                "postal_code": "9000",
                "package": "MEDIUM",
                "cost_eur": "24000.00",
                "declaration": {"negative_equity": False, "public_participation_pct": 0},
                # The enterprise confirms later through its mailed link (issue 22): the answer
                # is the file waiting for it, `awaiting_confirmation`.
                "signatory": {
                    "name": "Bench Zaakvoerder",
                    "email": "zaakvoerder@bench-nv.example",
                    "capacity": "zaakvoerder",
                },
                "submit": not args.two_step,
            }
            headers = {"Authorization": f"Token {token}", "Idempotency-Key": uuid.uuid4().hex}
            with self.client.post(
                "/api/v1/applications/",
                json=body,
                headers=headers,
                name="create" if args.two_step else "create+submit",
                catch_response=True,
            ) as response:
                if response.status_code != 201:
                    response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                    return
                reference = response.json()["reference"]
            if args.two_step:
                headers = {"Authorization": f"Token {token}", "Idempotency-Key": uuid.uuid4().hex}
                with self.client.post(
                    f"/api/v1/applications/{reference}/submit/",
                    headers=headers,
                    name="submit",
                    catch_response=True,
                ) as response:
                    if response.status_code != 200:
                        response.failure(f"{response.status_code}: {(response.text or '')[:200]}")

    environment = Environment(user_classes=[Provider], events=events)
    runner = environment.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    gevent.sleep(args.warmup)
    environment.stats.reset_all()  # warm-up (connections, caches) not counted
    cpu_before = cpu_seconds(server_pid)
    started = time.monotonic()
    while time.monotonic() - started < args.duration:
        if environment.stats.total.num_requests >= args.max_requests:
            break
        gevent.sleep(0.2)
    stats = environment.stats.total
    elapsed = time.monotonic() - started
    cpu_after = cpu_seconds(server_pid)
    requests, errors = stats.num_requests, stats.num_failures
    runner.quit()

    throughput = requests / elapsed if elapsed else 0.0
    p50, p95, p99 = (stats.get_response_time_percentile(p) for p in (0.5, 0.95, 0.99))
    print()
    print(f"requests     {requests} in {elapsed:.1f} s")
    print(f"throughput   {throughput:.1f} req/s")
    print(f"p50          {p50:.0f} ms")
    print(f"p95          {p95:.0f} ms")
    print(f"p99          {p99:.0f} ms")
    print(f"errors       {errors}")
    if requests:
        split = ", ".join(
            f"{name} {(cpu_after[name] - cpu_before[name]) / requests * 1000:.1f}"
            for name in cpu_after
        )
        print(
            f"CPU ms/req   {split}  (2 cores = {2000 / max(throughput, 1e-9):.1f} ms/req at this rate)"
        )
        print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for key, entry in environment.stats.errors.items():
        print(f"  {entry.occurrences} x {entry.error}"[:300], key[:0])
    ok = throughput >= 100 and p95 < 200 and errors == 0
    print("target (>= 100 req/s, p95 < 200 ms, no errors):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
