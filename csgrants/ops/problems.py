"""RFC 9457 problem details for the answers that ops gives itself (database outage, two-factor
step on the API). Same shape as the API's errors: type, title, status, detail, code."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# Seconds a client should wait before retrying during a database outage: a restart or a
# failover of PostgreSQL takes a few seconds.
RETRY_AFTER_SECONDS = 5


def problem_response(request, *, status: int, code: str, title: str, detail: str) -> HttpResponse:
    body = {
        "type": "urn:csgrants:problem:" + code.lower().replace("_", "-"),  # as the API's
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.path,
    }
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        request.path.startswith("/api/")
        or request.path.startswith("/healthz")
        or "json" in accept
        or "html" not in accept
    )


def database_unavailable_response(request) -> HttpResponse:
    """503 with Retry-After: problem details for API clients, a plain page for browsers. The
    page is rendered without a request context: the context processors would query the
    database that is down."""
    if wants_json(request):
        response = problem_response(
            request,
            status=503,
            code="SERVICE_UNAVAILABLE",
            title=_("Service temporarily unavailable"),
            detail=_("The database is not reachable. Retry in a few seconds."),
        )
    else:
        response = HttpResponse(
            render_to_string("ops/503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
