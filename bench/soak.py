"""Soak test: mixed provider and reviewer traffic against gunicorn and PostgreSQL on loopback,
with PostgreSQL stopped and started in the middle.

What it shows (exit status 0 only if all hold):
- throughput and p50/p95/p99 latency per operation, and errors (any 5xx other than the 503s of
  the outage, any unexpected 4xx);
- while the database is down, requests answer 503 application/problem+json with Retry-After
  (never a 500, never a hang);
- service resumes within 5 seconds of the database accepting connections again;
- afterwards every application acknowledged with 201 exists exactly once (by reference), and
  no logical create produced two rows (clients retry a 503 with the same Idempotency-Key).

It creates its own database (dropped at the end), user tokens with `create_api_user`, funds the
providers, and starts gunicorn and one task worker on 127.0.0.1 only. Bounded in time.

    python bench/soak.py                      # 150 s, outage at 60 s for 3 s
    python bench/soak.py --duration 60 --no-outage

The outage stops a whole PostgreSQL cluster. By default the script makes a throwaway cluster of
its own (Debian's pg_createcluster, port 5433, dropped at the end), so nobody else notices.
With --own-cluster 0 it uses the server of --pg: then it waits (up to --quiet-wait seconds)
until no other database has client connections, and skips the outage (and fails) rather than
break someone else's run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable


# ---------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Sample:
    op: str
    started: float
    ended: float
    status: int  # 0: no HTTP answer (connection error, timeout)
    problem: bool = False
    retry_after: bool = False
    code: str = ""


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, str] = field(default_factory=dict)  # reference -> create marker
    markers: set[str] = field(default_factory=set)  # every logical create attempted

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# ---------------------------------------------------------------------------------------------
# Setup


def enterprise_number(client: int, n: int) -> str:
    """A valid Belgian enterprise number (mod-97 check digits), unique per client and create, so
    that each logical create has its own enterprise and duplicates are visible."""
    base = 10_000_000 + client * 1_000_000 + n
    number = f"{base:08d}{97 - base % 97:02d}"
    return f"{number[0:4]}.{number[4:7]}.{number[7:10]}"


def sh(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kwargs
    )


def admin_connection(pg: str, dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(f"{pg}/{dbname}", autocommit=True, connect_timeout=5)


def create_database(pg: str, name: str) -> None:
    with admin_connection(pg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(pg: str, name: str) -> None:
    for _ in range(10):
        try:
            with admin_connection(pg) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.OperationalError:
            time.sleep(1)


def token_for(env: dict, username: str, role: str, provider: str | None = None) -> str:
    args = [PY, "manage.py", "create_api_user", username, "--role", role]
    if provider:
        args += ["--provider", provider, "--create-provider", f"Soak provider {provider}"]
    return sh(args, env).stdout.strip().splitlines()[-1].strip()


FUND = """
import datetime as dt
from decimal import Decimal
from csgrants.accounts.models import User
from csgrants.budgets.services import allocation_create
from csgrants.catalogue.models import ServiceProvider
admin = User.objects.get(username="soak-admin")
for code in {codes!r}:
    allocation_create(actor=admin, provider=ServiceProvider.objects.get(code=code),
                      amount_eur=Decimal("{amount}"), allocated_on=dt.date(2020, 1, 1), kind="initial")
print("funded", len({codes!r}))
"""


def other_database_users(pg: str, own: str) -> list[str]:
    """Client connections to databases other than ours: other people's tests."""
    try:
        with admin_connection(pg) as conn:
            rows = conn.execute(
                "SELECT datname, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                " AND datname IS NOT NULL AND datname NOT IN (%s, 'postgres') AND pid <> pg_backend_pid()"
                " GROUP BY datname",
                (own,),
            ).fetchall()
    except psycopg.OperationalError:
        return ["<server unreachable>"]
    return [f"{name} ({count})" for name, count in rows]


def wait_until(predicate, timeout: float, interval: float = 0.05) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic()
        time.sleep(interval)
    return None


# ---------------------------------------------------------------------------------------------
# Traffic


class Client(threading.Thread):
    def __init__(self, name, base, token, recorder, stop, seed, **kwargs):
        super().__init__(name=name, daemon=True)
        self.index = seed
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {token}"
        self.http.headers["Accept"] = "application/json"
        self.recorder = recorder
        self.stop = stop
        self.rng = random.Random(seed)
        self.kwargs = kwargs

    def call(self, op: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.http.request(method, self.base + path, timeout=15, **kwargs)
        except requests.RequestException:
            self.recorder.add(Sample(op, started, time.monotonic(), 0))
            return None
        ended = time.monotonic()
        ctype = response.headers.get("Content-Type", "")
        code = ""
        if ctype.startswith("application/problem+json"):
            try:
                code = response.json().get("code", "")
            except ValueError:
                code = "<unparseable>"
        self.recorder.add(
            Sample(
                op,
                started,
                ended,
                response.status_code,
                ctype.startswith("application/problem+json"),
                "Retry-After" in response.headers,
                code,
            )
        )
        return response

    def pause_after(self, response) -> None:
        # A real client honours Retry-After; a short pause keeps the soak measuring recovery.
        if response is None or response.status_code == 503:
            time.sleep(0.2)


class Provider(Client):
    def run(self):
        own: list[str] = []
        pending: list[tuple[str, dict]] = []  # creates answered 503: retry with the same key
        n = 0
        while not self.stop.is_set():
            response = None
            roll = self.rng.random()
            if pending and roll < 0.5:
                key, body = pending[0]
                response = self.create(key, body)
                if response is not None and response.status_code != 503:
                    pending.pop(0)
                    if response.status_code == 201:
                        own.append(response.json()["reference"])
            elif roll < 0.45 or not own:
                n += 1
                marker = f"{self.name}-{n}"
                body = {
                    "enterprise_number": enterprise_number(self.index, n),
                    "enterprise_name": f"Soak {marker}",
                    "enterprise_kind": "kmo",
                    "postal_code": self.rng.choice(["9000", "2000", "3000", "8000", "3500"]),
                    "package": "MEDIUM",
                    "extensions": [],
                    "cost_eur": "24000.00",
                    "declaration": {"negative_equity": False, "public_participation_pct": 0},
                    "signatory": {
                        "name": "Soak Zaakvoerder",
                        "email": "zaakvoerder@soak-nv.example",
                        "capacity": "zaakvoerder",
                    },
                    "submit": True,
                }
                key = uuid.uuid4().hex
                with self.recorder.lock:
                    self.recorder.markers.add(marker)
                response = self.create(key, body)
                if response is None or response.status_code == 503:
                    pending.append((key, body))
                elif response.status_code == 201:
                    own.append(response.json()["reference"])
            elif roll < 0.75:
                response = self.call("provider_list", "GET", "/api/v1/applications/?page_size=20")
            else:
                reference = self.rng.choice(own[-50:])
                response = self.call("provider_detail", "GET", f"/api/v1/applications/{reference}/")
            self.pause_after(response)

    def create(self, key: str, body: dict):
        response = self.call(
            "create_submit",
            "POST",
            "/api/v1/applications/",
            json=body,
            headers={"Idempotency-Key": key},
        )
        if response is not None and response.status_code == 201:
            reference = response.json()["reference"]
            with self.recorder.lock:
                self.recorder.acknowledged[reference] = body["enterprise_name"]
        return response


class Reviewer(Client):
    def run(self):
        while not self.stop.is_set():
            response = self.call(
                "reviewer_queue", "GET", "/api/v1/applications/?status=submitted&page_size=20"
            )
            if response is not None and response.status_code == 200:
                results = response.json().get("results", [])
                if results:
                    reference = self.rng.choice(results[: max(1, len(results) // 2)])["reference"]
                    if self.rng.random() < 0.8:
                        body = {"outcome": "approved"}
                    else:
                        body = {"outcome": "rejected", "reasons": ["NOT_SME"], "note": "soak"}
                    response = self.call(
                        "decision", "POST", f"/api/v1/applications/{reference}/decision/", json=body
                    )
            self.pause_after(response)


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=float, default=150, help="seconds of traffic (>= 120 for the record)"
    )
    parser.add_argument("--providers", type=int, default=6, help="provider client threads")
    parser.add_argument("--reviewers", type=int, default=2, help="reviewer client threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2-4)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL, no db"
    )
    parser.add_argument("--db", default="csg_prod_soak")
    parser.add_argument("--cluster", default="15 main", help="pg_ctlcluster version and name")
    parser.add_argument("--outage-at", type=float, default=60, help="seconds into the traffic")
    parser.add_argument(
        "--outage-seconds", type=float, default=3, help="how long the database stays down"
    )
    parser.add_argument("--no-outage", action="store_true")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120,
        help="wait this long for other database users to finish before the outage",
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--own-cluster",
        type=int,
        default=5433,
        metavar="PORT",
        help="create a throwaway PostgreSQL cluster on this port (Debian pg_createcluster) so the "
        "outage disturbs nobody; 0: use --pg and --cluster as given (default: 5433)",
    )
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    own_cluster = None
    if args.own_cluster:
        version = args.cluster.split()[0]
        own_cluster = (version, "csgsoak")
        subprocess.run(["pg_dropcluster", "--stop", *own_cluster], capture_output=True)
        subprocess.run(
            [
                "pg_createcluster",
                *own_cluster,
                "-p",
                str(args.own_cluster),
                "--",
                "--auth-host=trust",
                "--auth-local=trust",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", *own_cluster, "start"], check=True
        )
        args.pg = f"postgres://postgres@127.0.0.1:{args.own_cluster}"
        args.cluster = " ".join(own_cluster)
        if wait_until(lambda: _accepts(args.pg), 30) is None:
            raise RuntimeError("the throwaway cluster did not start")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    base = f"http://127.0.0.1:{args.port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="csgrants.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"{args.pg}/{args.db}",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",  # plain http on loopback; TLS is the proxy's job
        LOG_FORMAT="json",
        REQUEST_LOG_LEVEL="WARNING",
        API_THROTTLE_USER="1000000/minute",  # measure the application, not the rate limit
        CONN_MAX_AGE="60",
    )

    print(
        f"soak: database {args.db}, gunicorn {args.workers} workers on {base}, "
        f"{args.providers} providers + {args.reviewers} reviewers, {args.duration:.0f} s"
    )
    create_database(args.pg, args.db)
    procs: list[subprocess.Popen] = []
    result: dict = {"started_at": stamp, "args": vars(args)}
    try:
        sh([PY, "manage.py", "migrate", "--noinput"], env)
        codes = [f"SOAK{i}" for i in range(1, args.providers + 1)]
        provider_tokens = [
            token_for(env, f"soak-p{i}", "provider", code) for i, code in enumerate(codes, 1)
        ]
        reviewer_tokens = [
            token_for(env, f"soak-r{i}", "reviewer") for i in range(1, args.reviewers + 1)
        ]
        token_for(env, "soak-admin", "admin")
        sh([PY, "manage.py", "shell", "-c", FUND.format(codes=codes, amount="100000000.00")], env)

        log = open(OUT / f"soak-{stamp}-server.log", "w")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "gunicorn",
                    "csgrants.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{args.port}",
                    "--workers",
                    str(args.workers),
                    "--timeout",
                    "30",
                    "--graceful-timeout",
                    "5",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        worker_restarts: list[float] = []
        supervising = threading.Event()

        def start_worker() -> subprocess.Popen:
            return subprocess.Popen(
                [PY, "manage.py", "db_worker", "--queue-name", "*", "--interval", "1"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def supervise() -> None:
            # What systemd's Restart=always (RestartSec=2) does for the worker in production:
            # db_worker exits when it loses its database connection.
            while not supervising.is_set():
                worker = procs[-1]
                if worker.poll() is not None and not supervising.is_set():
                    worker_restarts.append(time.monotonic())
                    time.sleep(2)
                    procs.append(start_worker())
                supervising.wait(0.5)

        procs.append(start_worker())
        threading.Thread(target=supervise, daemon=True).start()

        def healthy(checks: str = "database") -> bool:
            try:
                return requests.get(f"{base}/healthz?checks={checks}", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        if wait_until(healthy, 30) is None:
            raise RuntimeError("gunicorn did not become healthy within 30 s")

        recorder = Recorder()
        stop = threading.Event()
        clients = [
            Provider(f"p{i}", base, tok, recorder, stop, seed=i)
            for i, tok in enumerate(provider_tokens)
        ]
        clients += [
            Reviewer(f"r{i}", base, tok, recorder, stop, seed=100 + i)
            for i, tok in enumerate(reviewer_tokens)
        ]
        # A load balancer's probe: the full /healthz every 2 s (keeps a heartbeat task queued
        # for the worker, and shows what the probe saw during the outage).
        probes: list[tuple[float, int, str]] = []

        def probe() -> None:
            while not stop.is_set():
                try:
                    response = requests.get(f"{base}/healthz", timeout=5)
                    body = response.json()
                    probes.append(
                        (
                            time.monotonic() - t0,
                            response.status_code,
                            body["checks"].get("worker", {}).get("last_heartbeat_at") or "",
                        )
                    )
                except (requests.RequestException, ValueError):
                    probes.append((time.monotonic() - t0, 0, ""))
                stop.wait(2)

        t0 = time.monotonic()
        threading.Thread(target=probe, daemon=True).start()
        for client in clients:
            client.start()

        outage: dict = {"performed": False}
        if not args.no_outage:
            time.sleep(max(0.0, args.outage_at - (time.monotonic() - t0)))
            others = other_database_users(args.pg, args.db)
            waited_from = time.monotonic()
            while others and time.monotonic() - waited_from < args.quiet_wait:
                print(
                    f"soak: waiting for other database users before the outage: {', '.join(others)}"
                )
                time.sleep(5)
                others = other_database_users(args.pg, args.db)
            if others:
                outage["skipped"] = f"other database users still active: {others}"
                print(f"soak: outage SKIPPED: {outage['skipped']}")
            else:
                version, cluster = args.cluster.split()
                ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster]
                outage["stop_begin"] = time.monotonic() - t0
                subprocess.run([*ctl, "stop", "-m", "fast"], check=True)
                outage["down"] = time.monotonic() - t0
                time.sleep(args.outage_seconds)
                # "The database returns" = it accepts connections again; poll while it starts,
                # since pg_ctlcluster itself returns only some time after that.
                starter = subprocess.Popen([*ctl, "start"])
                back = wait_until(lambda: _accepts(args.pg), 60, interval=0.05) or time.monotonic()
                starter.wait(timeout=60)
                outage["up"] = back - t0
                outage["up_wall"] = time.time() - (time.monotonic() - back)
                outage["performed"] = True
                print(f"soak: database down from {outage['down']:.1f} s to {outage['up']:.1f} s")

        time.sleep(max(0.0, args.duration - (time.monotonic() - t0)))
        stop.set()
        for client in clients:
            client.join(timeout=20)
        elapsed = time.monotonic() - t0
        # Give the worker a moment to take the probe's last heartbeat.
        time.sleep(3)

        worker_health = requests.get(f"{base}/healthz", timeout=5).json()
        result.update(analyse(recorder, t0, elapsed, outage))
        result["healthz_after"] = worker_health
        result["worker_restarts_at_s"] = [round(t - t0, 1) for t in worker_restarts]
        result["healthz_probes"] = {
            "count": len(probes),
            "statuses": dict(Counter(status for _, status, _ in probes)),
            "503_between_s": [round(t, 1) for t, status, _ in probes if status != 200][:1]
            + [round(t, 1) for t, status, _ in probes if status != 200][-1:],
        }
        result["integrity"] = integrity(args.pg, args.db, recorder)
    finally:
        if "supervising" in locals():
            supervising.set()
        for proc in procs:
            if proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not args.keep_db:
            drop_database(args.pg, args.db)
        if own_cluster and not args.keep_db:
            subprocess.run(["pg_dropcluster", "--stop", *own_cluster], capture_output=True)

    checks = verdict(result, args)
    result["verdict"] = checks
    (OUT / f"soak-{stamp}.json").write_text(json.dumps(result, indent=2, default=str))
    report(result)
    return 0 if all(ok for ok, _ in checks.values()) else 1


def _accepts(pg: str) -> bool:
    try:
        with admin_connection(pg) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def analyse(recorder: Recorder, t0: float, elapsed: float, outage: dict) -> dict:
    samples = recorder.samples
    per_op: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        per_op[s.op].append(s)
    ops = {}
    for op, items in sorted(per_op.items()):
        ok = [s for s in items if 200 <= s.status < 300]
        latencies = [(s.ended - s.started) * 1000 for s in ok]
        ops[op] = {
            "requests": len(items),
            "ok": len(ok),
            "per_second": round(len(items) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "statuses": dict(Counter(s.status for s in items)),
        }
    all_ok = [(s.ended - s.started) * 1000 for s in samples if 200 <= s.status < 300]
    expected_conflicts = [s for s in samples if s.status == 409]
    outage_window = None
    during, recovery_s, errors = [], None, []
    if outage.get("performed"):
        down, up = t0 + outage["down"], t0 + outage["up"]
        outage_window = (t0 + outage["stop_begin"], up)
        during = [s for s in samples if s.started >= down and s.ended <= up]
        after_ok = sorted(s.ended for s in samples if s.started >= up and 200 <= s.status < 300)
        recovery_s = round(after_ok[0] - up, 2) if after_ok else None
    for s in samples:
        # 503 is the right answer for requests still running when the stop begins, up to shortly
        # after the database is back (connections being re-established).
        in_outage_band = (
            outage_window and s.ended >= outage_window[0] and s.started <= outage_window[1] + 5
        )
        if (
            s.status == 0
            or (s.status >= 500 and not (s.status == 503 and in_outage_band))
            or 400 <= s.status < 500
            and s.status != 409
        ):
            errors.append(s)
    return {
        "elapsed_s": round(elapsed, 1),
        "requests": len(samples),
        "throughput_rps": round(len(samples) / elapsed, 1),
        "ok_p50_ms": round(percentile(all_ok, 50), 1),
        "ok_p95_ms": round(percentile(all_ok, 95), 1),
        "ok_p99_ms": round(percentile(all_ok, 99), 1),
        "operations": ops,
        "conflicts_409": dict(Counter(s.code for s in expected_conflicts)),
        "errors": len(errors),
        "error_examples": [
            f"{s.op} {s.status} {s.code} at {s.started - t0:.1f}s" for s in errors[:10]
        ],
        "outage": {
            **outage,
            "requests_during": len(during),
            "statuses_during": dict(Counter(s.status for s in during)),
            "all_503_problem_retry_after": all(
                s.status == 503 and s.problem and s.retry_after for s in during
            )
            if during
            else None,
            "codes_during": dict(Counter(s.code for s in during)),
            "recovery_s": recovery_s,
            "max_latency_during_ms": round(
                max(((s.ended - s.started) * 1000 for s in during), default=0), 1
            ),
        },
        "acknowledged_201": len(recorder.acknowledged),
        "logical_creates": len(recorder.markers),
    }


def integrity(pg: str, db: str, recorder: Recorder) -> dict:
    references = list(recorder.acknowledged)
    with psycopg.connect(f"{pg}/{db}", connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT a.reference, e.name FROM applications_application a"
            " JOIN enterprises_enterprise e ON e.id = a.enterprise_id WHERE e.name LIKE 'Soak %%'"
        ).fetchall()
    counts = Counter(reference for reference, _ in rows)
    per_marker = Counter(name for _, name in rows)
    names = dict(rows)
    missing = [r for r in references if counts.get(r, 0) == 0]
    duplicated = [r for r, n in counts.items() if n != 1]
    mismatched = [r for r in references if r in names and names[r] != recorder.acknowledged[r]]
    duplicate_creates = [name for name, n in per_marker.items() if n > 1]
    return {
        "acknowledged": len(references),
        "found_exactly_once": sum(1 for r in references if counts.get(r) == 1),
        "missing": missing[:20],
        "duplicated": duplicated[:20],
        "body_mismatch": mismatched[:20],
        "rows_created": len(rows),
        "logical_creates_with_two_rows": duplicate_creates[:20],
        "created_but_never_acknowledged": len(rows) - len(references),
    }


def verdict(result: dict, args) -> dict:
    integrity_ = result.get("integrity", {})
    outage = result.get("outage", {})
    checks = {
        "duration >= 120 s": (result.get("elapsed_s", 0) >= 120, f"{result.get('elapsed_s')} s"),
        "no unexpected errors": (result.get("errors", 1) == 0, f"{result.get('errors')} errors"),
        "every 201 exists exactly once": (
            integrity_.get("acknowledged", -1) == integrity_.get("found_exactly_once")
            and not integrity_.get("body_mismatch"),
            f"{integrity_.get('found_exactly_once')}/{integrity_.get('acknowledged')}",
        ),
        "no logical create stored twice": (
            not integrity_.get("logical_creates_with_two_rows"),
            str(integrity_.get("logical_creates_with_two_rows")),
        ),
        "worker healthy afterwards": (
            result.get("healthz_after", {}).get("status") == "ok",
            json.dumps(result.get("healthz_after", {}).get("checks", {})),
        ),
    }
    last_heartbeat = (
        result.get("healthz_after", {}).get("checks", {}).get("worker", {}).get("last_heartbeat_at")
    )
    if outage.get("performed"):
        import datetime as dt

        resumed = (
            bool(last_heartbeat)
            and dt.datetime.fromisoformat(last_heartbeat).timestamp() > outage["up_wall"]
        )
        checks["task worker ran a heartbeat after the outage"] = (resumed, str(last_heartbeat))
    if not args.no_outage:
        checks["outage performed"] = (outage.get("performed", False), outage.get("skipped", "yes"))
        checks["outage answers 503 problem+json with Retry-After"] = (
            bool(outage.get("all_503_problem_retry_after")),
            f"{outage.get('requests_during')} requests: {outage.get('statuses_during')}",
        )
        recovery = outage.get("recovery_s")
        checks["service back within 5 s of the database"] = (
            recovery is not None and recovery <= 5,
            f"{recovery} s",
        )
    return checks


def report(result: dict) -> None:
    print()
    print(
        f"elapsed {result['elapsed_s']} s, {result['requests']} requests, "
        f"{result['throughput_rps']} req/s; successful requests p50 {result['ok_p50_ms']} ms, "
        f"p95 {result['ok_p95_ms']} ms, p99 {result['ok_p99_ms']} ms"
    )
    print(
        f"{'operation':<16}{'requests':>9}{'ok':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses"
    )
    for op, o in result["operations"].items():
        print(
            f"{op:<16}{o['requests']:>9}{o['ok']:>7}{o['per_second']:>8}{o['p50_ms']:>9}"
            f"{o['p95_ms']:>9}{o['p99_ms']:>9}  {o['statuses']}"
        )
    print(f"409 conflicts (expected: races between reviewers, budget): {result['conflicts_409']}")
    print(f"errors: {result['errors']} {result['error_examples']}")
    print(f"outage: {json.dumps(result['outage'])}")
    print(f"integrity: {json.dumps(result['integrity'])}")
    print(f"/healthz probes every 2 s: {json.dumps(result['healthz_probes'])}")
    print(
        f"task worker exited and was restarted (as systemd would) at: {result['worker_restarts_at_s']} s"
    )
    print()
    for name, (ok, detail) in result["verdict"].items():
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {detail}")


if __name__ == "__main__":
    sys.exit(main())
