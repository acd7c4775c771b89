"""The API next to the production hardening: a token is not a password, so login throttling
and the two-factor step leave it alone; a database outage answers 503 problem details."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from csgrants.api.tokens import token_create

PASSWORD = "demo-password-123"


@pytest.fixture
def token(provider_user, admin_user):
    return token_create(actor=admin_user, user=provider_user, name="ops")[1]


def api_get(token, path="/api/v1/applications/"):
    client = Client(raise_request_exception=False)
    return client.get(
        path, headers={"Authorization": f"Token {token}", "Accept": "application/json"}
    )


@pytest.mark.django_db
@override_settings(
    AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, CSGRANTS_OTP_REQUIRED_ROLES=["provider"]
)
def test_token_works_while_the_password_is_locked_out_and_2fa_is_required(token, provider_user):
    browser = Client()
    for _ in range(5):
        browser.post("/login/", {"username": provider_user.username, "password": "wrong-password"})
    assert (
        browser.post(
            "/login/", {"username": provider_user.username, "password": PASSWORD}
        ).status_code
        == 429
    )
    response = api_get(token)
    assert response.status_code == 200
    assert "results" in response.json()


@pytest.mark.django_db
def test_api_during_a_database_outage_answers_503_problem_details(token, monkeypatch):
    from csgrants.api import selectors

    def down(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(selectors, "applications_for_api", down)
    response = api_get(token)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert body["status"] == 503
    assert body["request_id"] == response["X-Request-ID"]
