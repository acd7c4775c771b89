"""Error pages in the site's layout and the user's language, each with a way back (issue 21).
Django's own 400 and 500 handlers render without the request (no layout, no user, no language
switch); these render with it, and fall back to a plain page if even that fails."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from csgrants.ops.middleware import is_database_outage
from csgrants.ops.problems import database_unavailable_response, problem_response

logger = logging.getLogger(__name__)


def _back(request) -> str:
    """The page the user came from when it is ours, else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return "/"


def render_error(request, status: int, template: str, context=None) -> HttpResponse:
    try:
        body = loader.render_to_string(
            template, {"back": _back(request), **(context or {})}, request
        )
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        logger.exception("error page %s could not be rendered", status)
        back = _("Back to the home page")
        body = (
            f'<!doctype html><html lang="nl"><title>{status}</title>'
            f'<h1>{status}</h1><p><a href="/">{back}</a></p></html>'
        )
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    """handler400, also for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django raises it as a
    suspicious operation): that one is a 413, the form was too large, not malformed."""
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    return render_error(request, 400, "400.html")


def request_too_large(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(
            request,
            status=413,
            code="PAYLOAD_TOO_LARGE",
            title=_("Request too large"),
            detail=_("The request body is larger than this site accepts."),
        )
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return render_error(request, 413, "413.html", {"limit_mb": limit_mb})


def permission_denied(request, exception=None):
    return render_error(request, 403, "403.html")


def page_not_found(request, exception=None):
    return render_error(request, 404, "404.html")


def server_error(request, *args, **kwargs):
    """handler500: a database outage anywhere in the request (also in middleware, where
    DatabaseUnavailableMiddleware cannot see it) answers 503; API paths never get HTML."""
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        return database_unavailable_response(request)
    if request.path.startswith("/api/"):
        return problem_response(
            request,
            status=500,
            code="INTERNAL_ERROR",
            title=_("Internal server error"),
            detail=_("An unexpected error occurred; it has been logged with the request id."),
        )
    return render_error(request, 500, "500.html")


def csrf_failure(request, reason=""):
    return render_error(request, 403, "403_csrf.html")
