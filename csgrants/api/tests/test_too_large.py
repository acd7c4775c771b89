"""A body over DATA_UPLOAD_MAX_MEMORY_SIZE (issue 20, item 7; contracts/api.md) answers 413
problem details with code PAYLOAD_TOO_LARGE, never 500; nothing is created or stored."""

from __future__ import annotations

import json

import pytest

from csgrants.api.models import IdempotencyRecord
from csgrants.applications.models import Application

pytestmark = pytest.mark.django_db

THREE_MB = "x" * (3 * 1024 * 1024)


@pytest.mark.parametrize("key", [None, "too-large-1"])
@pytest.mark.parametrize(
    "path", ["/api/v1/applications/", "/api/v1/eligibility/sme", "/api/v1/eligibility/de-minimis"]
)
def test_a_too_large_json_body_answers_413_problem_details(provider_client, path, key):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    answer = provider_client.post(
        path,
        json.dumps({"enterprise_name": THREE_MB}),
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 413
    assert answer["Content-Type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "PAYLOAD_TOO_LARGE" and problem["status"] == 413
    assert problem["type"] == "urn:csgrants:problem:payload-too-large"
    assert not Application.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_a_body_just_under_the_limit_is_read(provider_client, settings):
    """The limit is the setting's: a body below it is parsed (and refused for its content)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    answer = provider_client.post(
        "/api/v1/applications/",
        json.dumps({"enterprise_name": THREE_MB}),
        content_type="application/json",
    )
    assert answer.status_code == 400
