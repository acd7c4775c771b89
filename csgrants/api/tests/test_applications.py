"""Applications through the API: create, submit, decide, withdraw, list; amounts, validation,
conflicts and the query count of the list."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import DEFAULT_SIGNATORY, confirm
from csgrants.applications.models import Application, Status
from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.selectors import provider_balance
from csgrants.core.models import AuditEvent

from .conftest import CREATE_BODY

URL = "/api/v1/applications/"


def body(**changes):
    data = copy.deepcopy(CREATE_BODY)
    data.update(changes)
    return data


def problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    data = response.json()
    assert data["status"] == status and data["code"] == code
    assert {"type", "title", "detail"} <= set(data)
    return data


def fields_of(data):
    return {e["field"] for e in data["errors"]}


def filed(client, **changes) -> str:
    """File and submit through the API; the enterprise then confirms through the real service
    (what its link's page calls): the file is the agency's. Returns the reference."""
    r = client.post(URL, body(**changes), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "awaiting_confirmation"
    confirm(Application.objects.get(reference=r.json()["reference"]))
    return r.json()["reference"]


def test_create_submitted_answers_201_with_checks_and_subsidy(provider_client, funded):
    r = provider_client.post(URL, body(), format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    # Submitted by the provider, the file waits for its enterprise (issue 22).
    assert data["reference"].startswith("CS-") and data["status"] == "awaiting_confirmation"
    assert r["Location"].endswith(f"{URL}{data['reference']}/")
    assert data["subsidy_eur"] == "12000.00" and data["cost_eur"] == "24000.00"
    assert data["submitted_on"] is None and data["decision_due_on"] is None
    assert data["confirmation"]["state"] == "awaiting"
    assert data["confirmation"]["link_state"] == "open"
    assert data["signatory"]["capacity"] == "zaakvoerder"
    assert data["decision"] is None
    assert data["amendments"] == []
    assert {c["code"] for c in data["checks"]} >= {"SME", "DE_MINIMIS", "BUDGET"}
    assert all(c["outcome"] in ("pass", "warn", "fail") and c["message"] for c in data["checks"])


def test_create_and_submit_writes_the_file_last_and_reads_nothing_back(provider_client, funded):
    """The filing's row moves the statistics summaries, whose rows concurrent filings of the same
    provider and package share: it is written after the checks, so that the lock is held for as
    short as possible. The answer's checks are the ones just written, not read back."""
    with CaptureQueriesContext(connection) as ctx:
        r = provider_client.post(URL, body(), format="json")
    assert r.status_code == 201, r.content
    statements = [q["sql"].upper() for q in ctx.captured_queries]
    table = '"APPLICATIONS_CHECKRESULT"'
    assert not [s for s in statements if s.startswith("SELECT") and table in s]
    wrote_results = next(
        i for i, s in enumerate(statements) if s.startswith(f"INSERT INTO {table}")
    )
    submitted = next(
        i for i, s in enumerate(statements) if s.startswith('UPDATE "APPLICATIONS_APPLICATION"')
    )
    assert wrote_results < submitted
    assert len(r.json()["checks"]) == 10


def test_a_filing_audits_in_one_statement_and_races_without_savepoints(provider_client, funded):
    """Per filing: the four audit events go in one INSERT at the end of the service, and the
    race-safe inserts (the Idempotency-Key's record, a new enterprise) are ON CONFLICT DO
    NOTHING rather than savepoints around a unique violation. What is left: the test's
    transaction holds the idempotency block's savepoint, which holds the service's."""
    with CaptureQueriesContext(connection) as ctx:
        r = provider_client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="audit-once")
    assert r.status_code == 201, r.content
    statements = [q["sql"].upper() for q in ctx.captured_queries]
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 2
    assert sum(s.startswith('INSERT INTO "CORE_AUDITEVENT"') for s in statements) == 1
    # In the order recorded (the trail is read by time, then id).
    events = AuditEvent.objects.filter(action__regex=r"^(enterprise|application)\.")
    assert [e.action for e in events.order_by("created_at", "id")] == [
        "enterprise.create",
        "application.create",
        "application.checks",
        "application.submit",
    ]


def test_a_filing_reads_the_reference_data_from_the_process_copy(provider_client, funded):
    """Kinds, packages, policy start dates and closing days: after the first filing, the reads
    cost the token's one statement per request (core.reference), not queries of those tables."""
    # The first filing loads the copies; the second the policy version, now in use.
    for number in ("0403.170.701", "0404.616.494"):
        assert (
            provider_client.post(URL, body(enterprise_number=number), format="json").status_code
            == 201
        )
    with CaptureQueriesContext(connection) as ctx:
        r = provider_client.post(URL, body(enterprise_number="0405.000.041"), format="json")
    assert r.status_code == 201, r.content
    tables = ("CATALOGUE_ENTERPRISEKIND", "CATALOGUE_PACKAGE", "CORE_CLOSINGDAY")
    statements = [q["sql"].upper() for q in ctx.captured_queries]
    assert not [s for s in statements if any(f'FROM "{t}"' in s for t in tables)]
    assert not [s for s in statements if s.startswith('SELECT "CATALOGUE_POLICYVERSION"')]
    assert sum('"CORE_REFERENCEDATAVERSION"' in s for s in statements) == 1


def test_create_draft_then_submit(provider_client, funded):
    r = provider_client.post(URL, body(submit=False), format="json")
    assert r.status_code == 201
    draft = r.json()
    assert draft["status"] == "draft" and draft["checks"] == [] and draft["submitted_on"] is None
    r = provider_client.post(f"{URL}{draft['reference']}/submit/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "awaiting_confirmation" and r.json()["checks"]
    confirm(Application.objects.get(reference=draft["reference"]))
    read = provider_client.get(f"{URL}{draft['reference']}/").json()
    assert read["status"] == "submitted" and read["submitted_on"]
    assert read["confirmation"]["state"] == "confirmed"
    assert read["confirmation"]["latest"]["name"] == "An Janssens"
    assert len(read["confirmation"]["latest"]["declaration_sha256"]) == 64


def test_minimal_body_sme_check_warns_without_figures(provider_client, funded):
    data = body()
    data["declaration"] = {"negative_equity": False, "public_participation_pct": 0}
    del data["extensions"]
    r = provider_client.post(URL, data, format="json")
    assert r.status_code == 201, r.content
    sme = next(c for c in r.json()["checks"] if c["code"] == "SME")
    assert sme["outcome"] == "warn"


@pytest.mark.parametrize(
    ("given", "stored"), [(24000, "24000.00"), (24000.5, "24000.50"), ("24000.5", "24000.50")]
)
def test_amounts_may_be_strings_or_numbers(provider_client, given, stored):
    r = provider_client.post(URL, body(cost_eur=given, submit=False), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["cost_eur"] == stored
    assert Application.objects.get().cost_eur == Decimal(stored)


def test_messages_follow_the_request_language(provider_client, funded):
    nl = provider_client.post(URL, body(), format="json").json()
    en = provider_client.get(f"{URL}{nl['reference']}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [c["code"] for c in nl["checks"]] == [c["code"] for c in en["checks"]]
    assert nl["checks"][0]["message"] != en["checks"][0]["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cost_eur": "abc"}, "cost_eur"),
        ({"cost_eur": "12.345"}, "cost_eur"),
        ({"cost_eur": -1}, "cost_eur"),
        ({"cost_eur": True}, "cost_eur"),
        ({"enterprise_name": ""}, "enterprise_name"),
        ({"enterprise_number": "0403.170.702"}, "enterprise_number"),
        ({"postal_code": "0000"}, "postal_code"),
        ({"package": "GOLD"}, "package"),
        ({"enterprise_kind": "vzw"}, "enterprise_kind"),
        ({"extensions": ["NOPE"]}, "extensions[0]"),
        ({"extensions": ["EXTENSION", ""]}, "extensions[1]"),
        ({"declaration": []}, "declaration"),
        (
            {"declaration": {"public_participation_pct": 150}},
            "declaration.public_participation_pct",
        ),
        ({"declaration": {"surprise": 1}}, "declaration.surprise"),
    ],
)
def test_validation_errors_name_their_fields(provider_client, changes, field):
    r = provider_client.post(URL, body(**changes), format="json")
    assert r.status_code == 400, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    data = r.json()
    assert field in fields_of(data), data
    assert Application.objects.count() == 0


def test_missing_fields_are_all_named(provider_client):
    r = provider_client.post(URL, {"declaration": {}}, format="json")
    data = problem(r, 400, "VALIDATION_ERROR")
    assert {
        "enterprise_number",
        "enterprise_name",
        "enterprise_kind",
        "postal_code",
        "package",
        "cost_eur",
    } <= fields_of(data)


def test_invalid_sme_figures_name_the_nested_field(provider_client):
    data = body()
    data["declaration"]["sme"]["enterprise"]["periods"][0]["turnover_eur"] = "-5"
    r = provider_client.post(URL, data, format="json")
    assert r.status_code == 400
    assert any(
        f.startswith("declaration.sme.") and f.endswith("turnover_eur") for f in fields_of(r.json())
    )


def test_decision_approve_commits_budget(provider_client, reviewer_client, funded):
    ref = filed(provider_client)
    r = reviewer_client.post(
        f"{URL}{ref}/decision/", {"outcome": "approved", "note": "ok"}, format="json"
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["status"] == "approved" and data["decision"]["outcome"] == "approved"
    assert provider_balance(funded).committed == Decimal("12000.00")


def test_rejection_lists_its_reasons(provider_client, reviewer_client, funded):
    ref = filed(provider_client)
    r = reviewer_client.post(
        f"{URL}{ref}/decision/",
        {"outcome": "rejected", "reasons": ["NOT_SME"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200
    assert r.json()["decision"]["reasons"] == [
        {"code": "NOT_SME", "label": "Not an SME under the EU definition"}
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "rejected"}, "reasons"),
        ({"outcome": "rejected", "reasons": ["NO_SUCH_REASON"]}, "reasons"),
        ({"outcome": "approved", "reasons": "NOT_SME"}, "reasons"),
    ],
)
def test_decision_validation(provider_client, reviewer_client, funded, payload, field):
    ref = filed(provider_client)
    r = reviewer_client.post(f"{URL}{ref}/decision/", payload, format="json")
    assert r.status_code == 400, r.content
    assert field in fields_of(r.json())
    assert Application.objects.get(reference=ref).status == Status.SUBMITTED


def test_budget_exhausted_answers_409_and_changes_nothing(provider_client, reviewer_client):
    # No allocation: the provider has no budget at all.
    ref = filed(provider_client)
    r = reviewer_client.post(f"{URL}{ref}/decision/", {"outcome": "approved"}, format="json")
    problem(r, 409, "BUDGET_EXHAUSTED")
    app = Application.objects.get(reference=ref)
    assert app.status == Status.SUBMITTED and app.decided_on is None
    assert not LedgerEntry.objects.filter(kind="commit").exists()
    assert not app.decisions.exists()


def test_transition_not_allowed_answers_409(provider_client, reviewer_client, funded):
    ref = filed(provider_client)
    problem(provider_client.post(f"{URL}{ref}/submit/"), 409, "TRANSITION_NOT_ALLOWED")
    draft = provider_client.post(
        URL, body(submit=False, enterprise_number="0202.239.951"), format="json"
    ).json()
    r = reviewer_client.post(
        f"{URL}{draft['reference']}/decision/", {"outcome": "approved"}, format="json"
    )
    problem(r, 409, "TRANSITION_NOT_ALLOWED")
    provider_client.post(f"{URL}{ref}/withdraw/", {}, format="json")
    problem(
        provider_client.post(f"{URL}{ref}/withdraw/", {}, format="json"),
        409,
        "TRANSITION_NOT_ALLOWED",
    )


def test_withdraw_releases_committed_budget(provider_client, reviewer_client, funded):
    ref = filed(provider_client)
    reviewer_client.post(f"{URL}{ref}/decision/", {"outcome": "approved"}, format="json")
    assert provider_balance(funded).committed == Decimal("12000.00")
    r = provider_client.post(f"{URL}{ref}/withdraw/", {"note": "customer cancelled"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert provider_balance(funded).open_commitments == Decimal("0.00")


def test_roles_are_enforced(provider_client, reviewer_client, analyst_client, funded):
    ref = filed(provider_client)
    problem(
        provider_client.post(f"{URL}{ref}/decision/", {"outcome": "approved"}, format="json"),
        403,
        "PERMISSION_DENIED",
    )
    problem(
        analyst_client.post(f"{URL}{ref}/decision/", {"outcome": "approved"}, format="json"),
        403,
        "PERMISSION_DENIED",
    )
    problem(reviewer_client.post(URL, body(), format="json"), 403, "PERMISSION_DENIED")
    problem(
        reviewer_client.post(f"{URL}{ref}/withdraw/", {}, format="json"), 403, "PERMISSION_DENIED"
    )
    assert analyst_client.get(f"{URL}{ref}/").status_code == 200


def test_list_filters_and_paginates(provider_client, make_application, funded):
    make_application("draft")
    make_application("submitted", postal_code="2000")
    make_application("submitted", package="PLUS")
    r = provider_client.get(URL, {"status": "submitted"})
    assert r.json()["count"] == 2
    assert provider_client.get(URL, {"province": "BE-VAN"}).json()["count"] == 1
    assert (
        provider_client.get(URL, {"package": "light"}).json()["count"] == 2
    )  # former name of MEDIUM
    year = Application.objects.first().created_at.year
    assert provider_client.get(URL, {"year": year}).json()["count"] == 3
    assert provider_client.get(URL, {"year": year - 1}).json()["count"] == 0
    page = provider_client.get(URL, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"] and page["count"] == 3
    for params, field in [
        ({"status": "bogus"}, "status"),
        ({"year": "x"}, "year"),
        ({"package": "GOLD"}, "package"),
        ({"province": "BE-XX"}, "province"),
    ]:
        r = provider_client.get(URL, params)
        assert r.status_code == 400 and field in fields_of(r.json()), (params, r.content)
    problem(provider_client.get(URL, {"page": 99}), 404, "NOT_FOUND")


def test_list_queries_do_not_grow_with_page_size(provider_client, make_application, funded):
    make_application("submitted")
    with CaptureQueriesContext(connection) as one:
        assert provider_client.get(URL).json()["count"] == 1
    for state in ["submitted", "approved", "rejected", "draft", "withdrawn"]:
        make_application(state)
    with CaptureQueriesContext(connection) as six:
        assert provider_client.get(URL).json()["count"] == 6
    assert len(six) == len(one)


def test_submit_is_for_drafts_only(provider_client, make_application, funded):
    app = make_application("info_requested")
    r = provider_client.post(f"{URL}{app.reference}/submit/")
    problem(r, 409, "TRANSITION_NOT_ALLOWED")
    app.refresh_from_db()
    assert app.status == Status.INFO_REQUESTED


# serialized_rollback: the catalogue seed comes back for later transactional tests, and
# post_migrate is not re-run after the flush (which would clash with other serialized tests).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_approvals_never_commit_more_than_the_budget(
    postgres_only_tx, provider, provider_user, admin_user
):
    import datetime as dt
    import threading

    from rest_framework.test import APIClient

    from conftest import make_user
    from csgrants.accounts.models import Role
    from csgrants.api.tokens import token_create
    from csgrants.applications import services
    from csgrants.budgets.services import allocation_create

    # Room for two subsidies of EUR 12,000, not three.
    allocation_create(
        actor=admin_user,
        provider=provider,
        amount_eur=Decimal("30000.00"),
        allocated_on=dt.date(2020, 1, 1),
    )
    numbers = ["0403.170.701", "0202.239.951", "0417.497.106", "0404.616.494", "0403.199.702"]
    refs = []
    for number in numbers:
        app = services.application_create(
            actor=provider_user,
            provider=provider,
            enterprise_number=number,
            enterprise_name="E",
            enterprise_kind="kmo",
            postal_code="9000",
            package="MEDIUM",
            cost_eur="24000.00",
            signatory=DEFAULT_SIGNATORY,
        )
        refs.append(
            confirm(services.application_submit(actor=provider_user, application=app)).reference
        )
    keys = [
        token_create(actor=None, user=make_user(f"r{i}", Role.REVIEWER))[1]
        for i in range(len(refs))
    ]
    barrier = threading.Barrier(len(refs))
    answers = []

    def approve(ref, key):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            r = client.post(f"{URL}{ref}/decision/", {"outcome": "approved"}, format="json")
            answers.append((r.status_code, r.json()["status" if r.status_code == 200 else "code"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(refs, keys, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [(200, "approved")] * 2 + [(409, "BUDGET_EXHAUSTED")] * 3
    assert Application.objects.filter(status=Status.APPROVED).count() == 2
    assert provider_balance(provider).committed == Decimal("24000.00")


@pytest.mark.parametrize(
    "changes,straight_through,expected_status",
    [
        # Straight-through approval waits for the enterprise's confirmation too (issue 22).
        ({}, False, "awaiting_confirmation"),
        ({"extensions": ["EXTENSION"]}, False, "awaiting_confirmation"),
        ({"submit": False}, False, "draft"),
        ({"submit": False, "extensions": ["EXTENSION"]}, False, "draft"),
        ({}, True, "awaiting_confirmation"),
        ({"extensions": ["EXTENSION"]}, True, "awaiting_confirmation"),
    ],
)
def test_create_answers_exactly_what_a_read_gives(
    provider_client, funded, changes, straight_through, expected_status
):
    """The 201 body is built from the objects the services return, reading only what a new file
    can have: it must be the representation a GET gives, including after a straight-through
    approval."""
    from csgrants.catalogue.models import PolicyVersion

    PolicyVersion.objects.update(straight_through=straight_through)
    created = provider_client.post(URL, body(**changes), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == expected_status
    assert data == provider_client.get(f"{URL}{data['reference']}/").json()
