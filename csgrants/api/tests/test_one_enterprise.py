"""Two providers, one enterprise (issue 20): the checks run again at decision time, and an
approval whose fresh run newly fails answers CHECKS_CHANGED (contracts/api.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from conftest import confirm
from csgrants.applications.models import Application, CheckRun, Status
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.selectors import provider_balance
from csgrants.budgets.services import allocation_create

from .test_applications import URL, body, problem

NUMBER = "0403.170.701"


def fund(provider, admin_user):
    allocation_create(
        actor=admin_user,
        provider=provider,
        amount_eur=Decimal("1000000.00"),
        allocated_on=dt.date(2020, 1, 1),
        kind="initial",
    )


def file_for_enterprise(client, **changes) -> str:
    r = client.post(URL, body(enterprise_number=NUMBER, **changes), format="json")
    assert r.status_code == 201, r.content
    confirm(Application.objects.get(reference=r.json()["reference"]))
    return r.json()["reference"]


def outcome_of(ref: str, code: str) -> str:
    run = CheckRun.objects.filter(application__reference=ref).order_by("-run_at", "-id").first()
    assert run is not None
    return run.results.get(code=code).outcome


def approve(client, ref, **extra):
    return client.post(f"{URL}{ref}/decision/", {"outcome": "approved"}, format="json", **extra)


@pytest.fixture
def both_funded(provider, other_provider, admin_user):
    fund(provider, admin_user)
    fund(other_provider, admin_user)


def test_second_providers_approval_answers_checks_changed_and_changes_nothing_else(
    provider_client, other_client, reviewer_client, both_funded, other_provider
):
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), tick=False):
        first = file_for_enterprise(provider_client)
        second = file_for_enterprise(other_client)
    # The first is pending when the second is filed: the four-year rule cannot fail yet, but it
    # warns that only one of them can be approved.
    assert outcome_of(first, "RECENT_TRAJECTORY") == "pass"
    assert outcome_of(second, "RECENT_TRAJECTORY") == "warn"
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC), tick=False):
        r = approve(reviewer_client, first)
        assert r.status_code == 200, r.content
    runs_before = CheckRun.objects.filter(application__reference=second).count()
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC), tick=False):
        r = approve(reviewer_client, second, HTTP_ACCEPT_LANGUAGE="en")
    data = problem(r, 409, "CHECKS_CHANGED")
    assert "RECENT_TRAJECTORY" in data["detail"] and first in data["detail"]
    app = Application.objects.get(reference=second)
    # The fresh run is stored; nothing else changed.
    assert CheckRun.objects.filter(application=app).count() == runs_before + 1
    assert outcome_of(second, "RECENT_TRAJECTORY") == "fail"
    assert app.status == Status.SUBMITTED and app.decided_on is None
    assert not app.decisions.exists()
    assert provider_balance(other_provider).committed == Decimal("0.00")
    assert not LedgerEntry.objects.filter(application=app).exists()
    assert reviewer_client.get(f"{URL}{second}/").json()["status"] == "submitted"


def test_approving_again_knowing_the_fresh_run_proceeds(
    provider_client, other_client, reviewer_client, both_funded, other_provider
):
    first = file_for_enterprise(provider_client)
    second = file_for_enterprise(other_client)
    assert approve(reviewer_client, first).status_code == 200
    problem(approve(reviewer_client, second), 409, "CHECKS_CHANGED")
    r = approve(reviewer_client, second)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved"
    assert provider_balance(other_provider).committed == Decimal("12000.00")


def test_a_rejection_is_not_held_up_but_records_the_fresh_run(
    provider_client, other_client, reviewer_client, both_funded
):
    first = file_for_enterprise(provider_client)
    second = file_for_enterprise(other_client)
    assert approve(reviewer_client, first).status_code == 200
    r = reviewer_client.post(
        f"{URL}{second}/decision/",
        {"outcome": "rejected", "reasons": ["RECENT_TRAJECTORY"]},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert outcome_of(second, "RECENT_TRAJECTORY") == "fail"


def test_a_check_that_already_failed_does_not_hold_up_the_approval(
    provider_client, reviewer_client, funded
):
    """The reviewer saw the failure before deciding: approving it stays the reviewer's call."""
    ref = file_for_enterprise(
        provider_client,
        declaration={**body()["declaration"], "negative_equity": True},
    )
    assert outcome_of(ref, "NEGATIVE_EQUITY") == "fail"
    assert approve(reviewer_client, ref).status_code == 200


# serialized_rollback: see test_applications' concurrency test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_approvals_for_one_enterprise_grant_one_trajectory(
    postgres_only_tx, provider, other_provider, provider_user, other_provider_user, admin_user
):
    import threading

    from rest_framework.test import APIClient

    from conftest import DEFAULT_SIGNATORY, make_user
    from csgrants.accounts.models import Role
    from csgrants.api.tokens import token_create
    from csgrants.applications import services

    fund(provider, admin_user)
    fund(other_provider, admin_user)
    refs = []
    for user in (provider_user, other_provider_user):
        app = services.application_create(
            actor=user,
            provider=user.service_provider,
            enterprise_number=NUMBER,
            enterprise_name="E",
            enterprise_kind="kmo",
            postal_code="9000",
            package="MEDIUM",
            cost_eur="24000.00",
            declaration={"negative_equity": False, "public_participation_pct": 0},
            signatory=DEFAULT_SIGNATORY,
        )
        refs.append(confirm(services.application_submit(actor=user, application=app)).reference)
    keys = [token_create(actor=None, user=make_user(f"r{i}", Role.REVIEWER))[1] for i in (1, 2)]
    barrier = threading.Barrier(2)
    answers = []

    def run(ref, key):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            r = approve(client, ref)
            answers.append((r.status_code, r.json()["status" if r.status_code == 200 else "code"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(refs, keys, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [(200, "approved"), (409, "CHECKS_CHANGED")]
    assert Application.objects.filter(status=Status.APPROVED).count() == 1
