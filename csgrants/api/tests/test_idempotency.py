"""Idempotency-Key: a retry returns the first answer and creates nothing; another body with the
same key answers 422; concurrent retries make one application."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import confirm
from csgrants.api.models import IdempotencyRecord
from csgrants.api.tokens import token_create
from csgrants.applications.models import Application

from .conftest import CREATE_BODY

URL = "/api/v1/applications/"


def test_retry_with_same_key_returns_first_answer_and_creates_nothing(provider_client, funded):
    first = provider_client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == 201
    again = provider_client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1


def test_same_key_with_another_body_is_422(provider_client, funded):
    provider_client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="order-43")
    r = provider_client.post(
        URL, {**CREATE_BODY, "cost_eur": "25000.00"}, format="json", HTTP_IDEMPOTENCY_KEY="order-43"
    )
    assert r.status_code == 422
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert Application.objects.count() == 1


def test_keys_are_per_user(provider_client, other_client, funded):
    a = provider_client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    b = other_client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert a.status_code == b.status_code == 201
    assert a.json()["reference"] != b.json()["reference"]


def test_key_applies_to_transitions_too(provider_client, reviewer_client, funded):
    ref = provider_client.post(URL, CREATE_BODY, format="json").json()["reference"]
    confirm(Application.objects.get(reference=ref))  # the enterprise confirms (issue 22)
    first = reviewer_client.post(
        f"{URL}{ref}/decision/", {"outcome": "approved"}, format="json", HTTP_IDEMPOTENCY_KEY="d1"
    )
    again = reviewer_client.post(
        f"{URL}{ref}/decision/", {"outcome": "approved"}, format="json", HTTP_IDEMPOTENCY_KEY="d1"
    )
    assert first.status_code == again.status_code == 200  # not 409: the retry is the same request
    assert Application.objects.get().decisions.count() == 1


def test_records_are_kept_24_hours_then_forgotten(provider_client, funded, time_machine):
    provider_client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")
    time_machine.move_to(timezone.now() + timedelta(hours=23, minutes=59))
    assert provider_client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")[
        "Idempotent-Replayed"
    ]
    assert Application.objects.count() == 1
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    r = provider_client.post(
        URL,
        {**CREATE_BODY, "enterprise_number": "0202.239.951"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="old",
    )
    assert r.status_code == 201 and "Idempotent-Replayed" not in r
    assert Application.objects.count() == 2


def test_server_error_is_not_stored_so_the_retry_does_the_work(
    provider_client, funded, monkeypatch
):
    from csgrants.applications import services

    real = services.application_create
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "application_create", flaky)
    assert (
        provider_client.post(
            URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="flaky"
        ).status_code
        == 500
    )
    assert not IdempotencyRecord.objects.exists()
    assert (
        provider_client.post(
            URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="flaky"
        ).status_code
        == 201
    )
    assert Application.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "spaces are not allowed"])
def test_malformed_keys_are_400(provider_client, key):
    r = provider_client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"


# serialized_rollback: the catalogue seed comes back for later transactional tests, and
# post_migrate is not re-run after the flush (which would clash with other serialized tests).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_create_one_application(postgres_only_tx, provider_user, funded):
    _token, raw = token_create(actor=None, user=provider_user)
    barrier = threading.Barrier(4)
    results = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        barrier.wait()
        try:
            r = client.post(URL, CREATE_BODY, format="json", HTTP_IDEMPOTENCY_KEY="race")
            results.append((r.status_code, r.json().get("reference")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Application.objects.count() == 1
    reference = Application.objects.get().reference
    assert results == [(201, reference)] * 4
