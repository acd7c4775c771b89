"""Fuzz every operation of the published OpenAPI schema in-process (WSGI), authenticated, with
at least 100 generated cases each (positive and negative): no server error, and every answer
(status code, content type, body, headers) as the schema documents it."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from csgrants.api.tokens import token_create

CASES_PER_OPERATION = 100
CONFIG = SchemathesisConfig.from_dict({"generation": {"mode": "all", "deterministic": True}})
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]
CASE_COUNTS: Counter[str] = Counter()


@pytest.fixture
def fuzz_env(db, provider_user, reviewer, funded, make_application, monkeypatch):
    """Tokens per role and a few real files, so that some generated references hit real
    applications in every state rather than only 404s."""
    refs = [
        make_application(state).reference
        for state in ("draft", "submitted", "approved", "awaiting_confirmation", "submitted")
    ]
    # The raw WSGI handler closes "old" connections around each request, which would close the
    # test's transaction on PostgreSQL; Django's own test client disconnects these the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "provider": token_create(actor=None, user=provider_user)[1],
        "reviewer": token_create(actor=None, user=reviewer)[1],
        "references": refs,
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded from the running code (the schema view needs no database); CI separately checks that
# the committed openapi.yaml is this same schema.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=CASES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, fuzz_env):
    path = case.operation.path
    role = "reviewer" if path.endswith("/decision/") or "/statistics/" in path else "provider"
    if case.path_parameters and "reference" in case.path_parameters:
        ref = case.path_parameters["reference"]
        # Steer part of the cases to real files (deterministically, from the generated value).
        if isinstance(ref, str) and len(ref) % 2 == 0:
            case.path_parameters["reference"] = fuzz_env["references"][
                len(ref) % len(fuzz_env["references"])
            ]
    CASE_COUNTS[case.operation.label] += 1
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_env[role]}"}, checks=CHECKS)


def test_every_operation_got_enough_cases(request):
    """Runs after the fuzzing in this module (pytest keeps file order); meaningless alone."""
    if not CASE_COUNTS:
        pytest.skip("run together with test_api_conforms_to_its_schema")
    low = {op: n for op, n in CASE_COUNTS.items() if n < CASES_PER_OPERATION}
    print("schemathesis cases per operation:", dict(sorted(CASE_COUNTS.items())))
    assert not low, low
