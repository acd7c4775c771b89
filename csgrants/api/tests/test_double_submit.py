"""Two identical POSTs without Idempotency-Key make one file (issue 20): a provider holds one
undecided file per enterprise; the second answers 409 OPEN_FILE_EXISTS naming the first."""

from __future__ import annotations

import pytest
from django.db import connection

from csgrants.applications.models import Application

from .test_applications import URL, body, problem


def test_the_same_filing_posted_twice_makes_one_file(provider_client, funded):
    first = provider_client.post(URL, body(), format="json")
    assert first.status_code == 201, first.content
    data = problem(provider_client.post(URL, body(), format="json"), 409, "OPEN_FILE_EXISTS")
    assert first.json()["reference"] in data["detail"]
    assert {e["field"] for e in data["errors"]} == {"enterprise_number"}
    assert Application.objects.count() == 1


def test_a_second_draft_for_the_same_enterprise_is_refused_too(provider_client, funded):
    assert provider_client.post(URL, body(submit=False), format="json").status_code == 201
    problem(provider_client.post(URL, body(submit=False), format="json"), 409, "OPEN_FILE_EXISTS")


def test_another_provider_files_for_the_same_enterprise(provider_client, other_client, funded):
    assert provider_client.post(URL, body(), format="json").status_code == 201
    r = other_client.post(URL, body(), format="json")
    assert r.status_code == 201, r.content
    assert Application.objects.count() == 2


def test_after_withdrawing_the_provider_files_anew(provider_client, funded):
    ref = provider_client.post(URL, body(), format="json").json()["reference"]
    assert provider_client.post(f"{URL}{ref}/withdraw/", {}, format="json").status_code == 200
    assert provider_client.post(URL, body(), format="json").status_code == 201


# serialized_rollback: see test_applications' concurrency test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_identical_posts_make_one_file(postgres_only_tx, provider_user):
    import threading

    from rest_framework.test import APIClient

    from csgrants.api.tokens import token_create

    key = token_create(actor=None, user=provider_user)[1]
    barrier = threading.Barrier(2)
    answers = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            r = client.post(URL, body(), format="json")
            answers.append((r.status_code, r.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [(201, None), (409, "OPEN_FILE_EXISTS")]
    assert Application.objects.count() == 1
