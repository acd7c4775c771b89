"""Fifty reviewers approve fifty files of one provider at the same moment, each on its own
database connection, while the provider's budget covers exactly ten of them. The row lock on the
provider's budget must serialise them: ten approvals, forty BUDGET_EXHAUSTED that change
nothing, available exactly zero. Run five times so that a lucky interleaving cannot hide a race."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import OperationalError, connection

from csgrants.accounts.models import Role
from csgrants.applications import services as app_services
from csgrants.applications.models import Application, Decision, StatusChange
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.selectors import provider_balance
from csgrants.budgets.services import allocation_create
from csgrants.core.errors import BudgetExhausted
from csgrants.core.models import AuditEvent

N_FILES = 50
N_FIT = 10


def _connect_with_retry(attempts: int = 20) -> None:
    # Other test runs share the server's connection slots; a refused connection is a busy
    # server, not a race, so try again instead of failing the round.
    for i in range(attempts):
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            if i == attempts - 1:
                raise
            time.sleep(0.2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round", range(5))
def test_fifty_concurrent_approvals_commit_exactly_what_fits(
    round, postgres_only_tx, provider, make_application, admin_user
):
    from conftest import make_user
    from csgrants.budgets.tests.conftest import enterprise_number

    files = [make_application("submitted", number=enterprise_number(i)) for i in range(N_FILES)]
    subsidy = files[0].subsidy_eur
    assert subsidy > 0 and all(f.subsidy_eur == subsidy for f in files)
    allocation_create(
        actor=admin_user,
        provider=provider,
        amount_eur=subsidy * N_FIT,
        allocated_on=files[0].submitted_on,
    )
    reviewers = [make_user(f"r{round}-{i}", Role.REVIEWER) for i in range(N_FILES)]
    audit_before = AuditEvent.objects.count()

    barrier = threading.Barrier(N_FILES, timeout=60)
    outcomes: dict[int, str] = {}
    lock = threading.Lock()

    def approve(app, reviewer):
        try:
            _connect_with_retry()
            barrier.wait()
            try:
                app_services.decision_record(actor=reviewer, application=app, outcome="approved")
                result = "approved"
            except BudgetExhausted as exc:
                result = exc.code
            except Exception as exc:  # reported below, fails the test
                result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes[app.pk] = result

    threads = [
        threading.Thread(target=approve, args=(f, r)) for f, r in zip(files, reviewers, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    results = list(outcomes.values())
    assert results.count("approved") == N_FIT, sorted(set(results))
    assert results.count("BUDGET_EXHAUSTED") == N_FILES - N_FIT, sorted(set(results))

    approved = {pk for pk, r in outcomes.items() if r == "approved"}
    statuses = dict(Application.objects.filter(pk__in=outcomes).values_list("pk", "status"))
    assert {pk for pk, s in statuses.items() if s == "approved"} == approved
    assert sum(1 for s in statuses.values() if s == "submitted") == N_FILES - N_FIT
    # The refused ones left no trace: no decision, no status change, no ledger line, no audit.
    assert set(Decision.objects.values_list("application_id", flat=True)) == approved
    assert (
        set(
            StatusChange.objects.filter(to_status="approved").values_list(
                "application_id", flat=True
            )
        )
        == approved
    )
    commits = LedgerEntry.objects.filter(kind="commit")
    assert set(commits.values_list("application_id", flat=True)) == approved
    assert commits.count() == N_FIT
    # Each approval writes four audit events (the checks re-run at the decision, transition,
    # commitment, decision); refusals none.
    assert AuditEvent.objects.count() - audit_before == 4 * N_FIT

    balance = provider_balance(provider)
    assert balance.available == Decimal("0.00")
    assert balance.committed == subsidy * N_FIT == balance.allocated
    ledger_total = sum(
        (
            e.amount_eur if e.kind == "allocate" else -e.amount_eur
            for e in LedgerEntry.objects.filter(provider=provider)
        ),
        Decimal("0"),
    )
    assert ledger_total == balance.available == Decimal("0.00")
