"""Races after approval, each actor on its own PostgreSQL connection: two reviewers approving the
same amendment, two amendments racing for the provider's last euros, two payments of one file.
The row locks (application, amendment, provider budget) must let exactly one through."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from conftest import confirm_amendment, make_user
from csgrants.accounts.models import Role
from csgrants.applications import amendments, trajectory
from csgrants.applications.models import Decision, Payment
from csgrants.applications.tests.after_helpers import drain, report_data
from csgrants.budgets.models import LedgerEntry
from csgrants.core.errors import DomainError


def race(*calls) -> list[str]:
    """Run the calls at the same moment, each on its own connection; 'ok' or the error code."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[str] = [""] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            call()
            results[i] = "ok"
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # reported by the assertion
            results[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return sorted(results)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_amendment_approved_twice_at_once_commits_once(
    postgres_only_tx, make_application, provider_user
):
    app = make_application("in_progress")
    amendment = amendments.amendment_request(
        actor=provider_user, application=app, kind="upgrade", package="PLUS", extra_cost_eur="6000"
    )
    confirm_amendment(amendment)
    a, b = make_user("ra", Role.REVIEWER), make_user("rb", Role.REVIEWER)
    results = race(
        lambda: amendments.amendment_decide(actor=a, amendment=amendment, outcome="approved"),
        lambda: amendments.amendment_decide(actor=b, amendment=amendment, outcome="approved"),
    )
    assert results == ["TRANSITION_NOT_ALLOWED", "ok"]
    assert LedgerEntry.objects.filter(amendment=amendment, kind="commit").count() == 1
    assert Decision.objects.filter(amendment=amendment).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_amendments_racing_for_the_last_euros(
    postgres_only_tx, make_application, provider_user, provider, admin_user
):
    first, second = make_application("in_progress"), make_application("in_progress")
    x = amendments.amendment_request(
        actor=provider_user,
        application=first,
        kind="upgrade",
        package="PLUS",
        extra_cost_eur="6000",
    )
    y = amendments.amendment_request(
        actor=provider_user,
        application=second,
        kind="upgrade",
        package="PLUS",
        extra_cost_eur="6000",
    )
    confirm_amendment(x)
    confirm_amendment(y)
    # Room for one of the two only.
    holder = make_application("draft")
    drain(provider, admin_user, leave=x.extra_subsidy_eur + Decimal("1.00"), holder=holder)
    a, b = make_user("ra", Role.REVIEWER), make_user("rb", Role.REVIEWER)
    results = race(
        lambda: amendments.amendment_decide(actor=a, amendment=x, outcome="approved"),
        lambda: amendments.amendment_decide(actor=b, amendment=y, outcome="approved"),
    )
    assert results == ["BUDGET_EXHAUSTED", "ok"]
    assert LedgerEntry.objects.filter(amendment__in=[x, y], kind="commit").count() == 1
    x.refresh_from_db()
    y.refresh_from_db()
    assert sorted([x.status, y.status]) == ["approved", "submitted"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_file_is_paid_once(postgres_only_tx, make_application, provider_user, budget_manager):
    app = make_application("in_progress")
    reviewer = make_user("ra", Role.REVIEWER)
    trajectory.final_report_submit(actor=provider_user, application=app, **report_data())
    trajectory.final_report_accept(actor=reviewer, application=app)
    results = race(
        lambda: trajectory.payment_record(actor=reviewer, application=app),
        lambda: trajectory.payment_record(actor=budget_manager, application=app),
    )
    assert results == ["TRANSITION_NOT_ALLOWED", "ok"]
    assert Payment.objects.filter(application=app).count() == 1
    assert LedgerEntry.objects.filter(application=app, kind="realise").count() == 1
