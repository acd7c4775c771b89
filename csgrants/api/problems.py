"""RFC 9457 problem details for everything under /api/.

One mapping, in one place: domain errors keep their status and stable code; DRF's own errors
(validation, parse, authentication, permission, 404, 405, 406, 415, throttling) get a code of
their own; anything unexpected becomes a 500 problem that carries only a request id, while the
stack trace goes to the log under that same id."""

from __future__ import annotations

import json
import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from csgrants.core.errors import DomainError
from csgrants.ops.problems import RETRY_AFTER_SECONDS

logger = logging.getLogger("csgrants.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def problem_type(code: str) -> str:
    return "urn:csgrants:problem:" + code.lower().replace("_", "-")


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Not authenticated"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Unprocessable request"),
        429: _("Too many requests"),
        500: _("Internal server error"),
        503: _("Service unavailable"),
    }


def _default_codes() -> dict[int, str]:
    return {
        400: "BAD_REQUEST",
        401: "NOT_AUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
        406: "NOT_ACCEPTABLE",
        409: "CONFLICT",
        413: "PAYLOAD_TOO_LARGE",
        415: "UNSUPPORTED_MEDIA_TYPE",
        422: "UNPROCESSABLE",
        429: "THROTTLED",
        500: "INTERNAL_ERROR",
        503: "SERVICE_UNAVAILABLE",
    }


def problem_body(
    status: int,
    *,
    code: str | None = None,
    detail: str = "",
    errors=None,
    request_id: str | None = None,
) -> dict:
    code = code or _default_codes().get(status, "ERROR")
    body = {
        "type": problem_type(code),
        "title": _titles().get(status, _("Error")),
        "status": status,
        "detail": str(detail or _titles().get(status, "")),
        "code": code,
    }
    if errors is not None:
        body["errors"] = [{"field": f or "", "message": str(m)} for f, m in errors]
    if request_id:  # only on server errors; every API answer has it in X-Request-ID
        body["request_id"] = request_id
    return body


def request_id_of(request) -> str:
    request = getattr(request, "_request", request)
    rid = getattr(request, "request_id", None)
    if rid is None:
        given = request.META.get("HTTP_X_REQUEST_ID", "") if request is not None else ""
        rid = given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        if request is not None:
            request.request_id = rid
    return rid


def flatten_errors(detail, prefix: str = "") -> list[tuple[str, str]]:
    """DRF's nested error structure -> [(field path, message)], paths like `declaration.sme` or
    `extensions[0]`."""
    out: list[tuple[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a ListField child, as the services name them: extensions[0]
                out.extend(flatten_errors(value, f"{prefix}[{key}]"))
                continue
            key = "" if key in ("non_field_errors", "__all__") else str(key)
            path = f"{prefix}.{key}" if prefix and key else (prefix or key)
            out.extend(flatten_errors(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out.extend((prefix, str(v)) for v in detail)
        else:
            for i, value in enumerate(detail):
                if value in ({}, []):
                    continue
                out.extend(flatten_errors(value, f"{prefix}[{i}]"))
    else:
        out.append((prefix, str(detail)))
    return out


def _drf_code(exc: drf.APIException) -> str:
    return {
        drf.ParseError: "MALFORMED_REQUEST",
        drf.AuthenticationFailed: "AUTHENTICATION_FAILED",
        drf.NotAuthenticated: "NOT_AUTHENTICATED",
        drf.PermissionDenied: "PERMISSION_DENIED",
        drf.NotFound: "NOT_FOUND",
        drf.MethodNotAllowed: "METHOD_NOT_ALLOWED",
        drf.NotAcceptable: "NOT_ACCEPTABLE",
        drf.UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
        drf.Throttled: "THROTTLED",
    }.get(type(exc)) or _default_codes().get(exc.status_code, "ERROR")


def problem_response(status: int, body: dict, headers=None) -> Response:
    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def too_large_body() -> dict:
    """The 413 problem for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (contracts/api.md)."""
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return problem_body(
        413,
        code="PAYLOAD_TOO_LARGE",
        detail=_("The request body is larger than the %(limit)s MB this API accepts.")
        % {"limit": number_format(limit_mb, 1)},
    )


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every exception a DRF view raises becomes a problem."""
    request = context.get("request")
    rid = request_id_of(request) if request is not None else None
    headers = {}
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    if isinstance(exc, RequestDataTooBig):
        # Django raises it when the view first reads a body over the limit; it is the client's
        # request, not a bug.
        set_rollback()
        return problem_response(413, too_large_body())

    if isinstance(exc, DomainError):
        set_rollback()
        errors = exc.errors if (exc.errors or exc.status == 400) else None
        body = problem_body(exc.status, code=exc.code, detail=str(exc.message), errors=errors)
        return problem_response(exc.status, body)

    if isinstance(exc, drf.APIException):
        set_rollback()
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, drf.ValidationError):
            errors = flatten_errors(exc.detail)
            detail = "; ".join(f"{f}: {m}" if f else m for f, m in errors[:5])
            body = problem_body(400, code="VALIDATION_ERROR", detail=detail, errors=errors)
        else:
            detail = (
                exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, default=str)
            )
            body = problem_body(exc.status_code, code=_drf_code(exc), detail=detail)
        return problem_response(exc.status_code, body, headers)

    if isinstance(exc, OperationalError | InterfaceError):
        # The database is unreachable (restart, failover): not a bug; the client should retry.
        # The same answer as csgrants.ops gives outside the API views.
        body = problem_body(
            503, detail=_("The database is not reachable. Retry in a few seconds."), request_id=rid
        )
        return problem_response(503, body, {"Retry-After": str(RETRY_AFTER_SECONDS)})

    # A bug, not bad input: log it with the request id the client sees, never show the details.
    set_rollback()
    logger.error(
        "unhandled exception in API request %s", rid, exc_info=exc, extra={"request_id": rid}
    )
    body = problem_body(
        500,
        detail=_("An unexpected error occurred. Quote request id %(id)s when reporting it.")
        % {"id": rid},
        request_id=rid,
    )
    return problem_response(500, body)


def _json_problem(status: int, body: dict, request_id: str) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    response[REQUEST_ID_HEADER] = request_id
    return response


class ApiProblemMiddleware:
    """Problems also for what never reaches a DRF view under /api/: unknown URLs (Django's 404
    page), CSRF failures, errors raised by other middleware. Adds X-Request-ID to every API
    response. Place it high in MIDDLEWARE so that it sees the responses of the others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        rid = request_id_of(request)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            status = response.status_code
            if status >= 500:
                logger.error("API request %s answered %s outside the API views", rid, status)
            headers = {
                k: v
                for k, v in response.items()
                if k in ("Allow", "Retry-After", "WWW-Authenticate")
            }
            response = _json_problem(
                status, problem_body(status, request_id=rid if status >= 500 else None), rid
            )
            for k, v in headers.items():
                response[k] = v
        response[REQUEST_ID_HEADER] = rid
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        rid = request_id_of(request)
        if isinstance(exception, Http404):
            return _json_problem(404, problem_body(404), rid)
        if isinstance(exception, DjangoPermissionDenied):
            return _json_problem(403, problem_body(403), rid)
        if isinstance(exception, RequestDataTooBig):
            return _json_problem(413, too_large_body(), rid)
        logger.error(
            "unhandled exception in API request %s",
            rid,
            exc_info=exception,
            extra={"request_id": rid},
        )
        body = problem_body(
            500,
            detail=_("An unexpected error occurred. Quote request id %(id)s when reporting it.")
            % {"id": rid},
            request_id=rid,
        )
        return _json_problem(500, body, rid)


def _is_json(response) -> bool:
    ctype = (response.get("Content-Type") or "").split(";")[0].strip()
    return ctype in ("application/json", PROBLEM_CONTENT_TYPE)
