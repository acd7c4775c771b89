"""A database outage answers 503 with Retry-After (problem details for API clients), whether
the error comes from a view or from a middleware, and never a 500 or an HTML stack trace."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client, override_settings
from django.urls import include, path

from csgrants import urls as project_urls


def broken_view(request):
    raise OperationalError("server closed the connection unexpectedly")


def interface_view(request):
    raise InterfaceError("connection already closed")


def failing_view(request):
    raise ValueError("a bug")


urlpatterns = [
    path("api/v1/outage/", broken_view),
    path("api/v1/closed/", interface_view),
    path("api/v1/bug/", failing_view),
    path("page/outage/", broken_view),
    path("", include(project_urls.urlpatterns)),
]
handler500 = project_urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def anon():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/api/v1/outage/", "/api/v1/closed/"])
def test_api_request_during_outage_gets_503_problem_details(anon, url):
    response = anon.post(url, data={}, content_type="application/json")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == 503
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert body["request_id"] == response["X-Request-ID"]


def test_browser_gets_a_plain_503_page(anon):
    response = anon.get("/page/outage/", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"<h1>" in response.content


def test_outage_in_middleware_is_also_503(anon, reviewer, monkeypatch):
    """The session is loaded by the two-factor middleware before any view runs."""
    anon.force_login(reviewer)

    def load(self):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(SessionStore, "load", load)
    response = anon.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"


@override_settings(DEBUG=False)
def test_other_api_errors_are_problem_details_without_a_trace(anon):
    response = anon.get("/api/v1/bug/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "a bug" not in response.content.decode()
    assert response.json()["code"] == "INTERNAL_ERROR"
