"""Every error under /api/ is application/problem+json: never HTML, never a stack trace."""

from __future__ import annotations

import logging

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

PROBLEM = "application/problem+json"


def assert_problem(r, status, code=None):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith(PROBLEM), r["Content-Type"]
    data = r.json()
    assert data["status"] == status and data["type"] and data["title"] and "detail" in data
    if code:
        assert data["code"] == code
    assert b"Traceback" not in r.content and b"<html" not in r.content.lower()
    assert r["X-Request-ID"]
    return data


@pytest.mark.parametrize(
    "path", ["/api/v1/nope/", "/api/v1/applications/CS-1/submit/extra/", "/api/v2/", "/api/"]
)
def test_unknown_api_urls_are_404_problems(provider_client, path):
    assert_problem(provider_client.get(path), 404, "NOT_FOUND")


def test_unknown_urls_outside_the_api_are_left_alone(client, db):
    r = client.get("/no-such-page/")
    assert r.status_code == 404 and not r["Content-Type"].startswith(PROBLEM)


def test_405(provider_client):
    r = provider_client.delete("/api/v1/applications/")
    assert_problem(r, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in r["Allow"]


def test_415(provider_client):
    r = provider_client.post(
        "/api/v1/applications/",
        "enterprise_name=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(r, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_406(provider_client):
    assert_problem(
        provider_client.get("/api/v1/catalogue/packages/", HTTP_ACCEPT="text/html"),
        406,
        "NOT_ACCEPTABLE",
    )


def test_401_without_or_with_a_bad_token(db):
    anonymous = APIClient()
    r = anonymous.get("/api/v1/applications/")
    assert_problem(r, 401, "NOT_AUTHENTICATED")
    assert r["WWW-Authenticate"] == "Token"
    anonymous.credentials(HTTP_AUTHORIZATION="Token csg_not-a-real-token")
    assert_problem(anonymous.get("/api/v1/applications/"), 401, "AUTHENTICATION_FAILED")
    anonymous.credentials(HTTP_AUTHORIZATION="Token a b")
    assert_problem(anonymous.get("/api/v1/applications/"), 401, "AUTHENTICATION_FAILED")


def test_403(provider_client):
    assert_problem(
        provider_client.get("/api/v1/statistics/report/", {"years": "2024"}),
        403,
        "PERMISSION_DENIED",
    )


def test_throttling_is_429_with_retry_after(provider_client, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "2/minute")
    for _ in range(2):
        assert provider_client.get("/api/v1/catalogue/packages/").status_code == 200
    r = provider_client.get("/api/v1/catalogue/packages/")
    assert_problem(r, 429, "THROTTLED")
    assert int(r["Retry-After"]) > 0


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"enterprise_name": "a\\u0000b"}',
        b'{"enterprise_name": "\\ud800"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"cost_eur": 1e999}',
        b'{"cost_eur": NaN}',
    ],
)
def test_malformed_bodies_are_400(provider_client, raw):
    r = provider_client.post("/api/v1/applications/", raw, content_type="application/json")
    assert r.status_code == 400, r.content
    assert_problem(r, 400)


def test_unhandled_errors_are_500_problems_logged_with_the_request_id(
    provider_client, monkeypatch, caplog
):
    from csgrants.api.views import catalogue

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(catalogue.selectors, "reason_codes_for_api", boom)
    with caplog.at_level(logging.ERROR, logger="csgrants.api"):
        r = provider_client.get("/api/v1/catalogue/reason-codes/", HTTP_X_REQUEST_ID="req-12345678")
    data = assert_problem(r, 500, "INTERNAL_ERROR")
    assert b"secret internals" not in r.content
    assert data["request_id"] == r["X-Request-ID"] == "req-12345678"
    record = next(rec for rec in caplog.records if rec.name == "csgrants.api")
    assert "req-12345678" in record.getMessage() and record.exc_info


def test_validation_problem_lists_fields(provider_client):
    data = assert_problem(
        provider_client.post("/api/v1/applications/", {}, format="json"), 400, "VALIDATION_ERROR"
    )
    assert all(set(e) == {"field", "message"} for e in data["errors"])
    assert "cost_eur" in {e["field"] for e in data["errors"]}


def test_path_with_odd_characters_is_404(provider_client):
    assert_problem(provider_client.get("/api/v1/applications/%00/"), 404)
    assert_problem(provider_client.get("/api/v1/applications/CS%20X/"), 404)
    assert_problem(provider_client.delete("/api/v1/tokens/99999999999999999999999/"), 404)


def test_query_parameters_with_nul_are_400(provider_client):
    r = provider_client.get("/api/v1/applications/", {"package": "ME\x00DIUM"})
    assert_problem(r, 400, "VALIDATION_ERROR")
