"""Middleware for running csgrants in production: request ids with a request log, the answer to
a database outage, and the two-factor step after password login."""

from __future__ import annotations

import logging
import re
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import redirect
from django.urls import reverse

from csgrants.ops.logging import request_id_var
from csgrants.ops.problems import database_unavailable_response, problem_response

request_logger = logging.getLogger("csgrants.request")

# A caller-supplied id is kept only if it is short and harmless in a log line and a header.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Takes the X-Request-ID of the reverse proxy (or makes one), exposes it as
    `request.request_id`, in every log record of the request and in the response header, and
    writes one log line per request with method, path, status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            user = getattr(request, "user", None)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    # Only the id, and only if authentication already ran: never a lookup here.
                    "user_id": getattr(user, "pk", None) if _user_loaded(request) else None,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _user_loaded(request) -> bool:
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", None)
    if wrapped is None:
        return user is not None
    from django.utils.functional import empty

    return wrapped is not empty


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is unreachable (restart, failover), answer 503 problem details with
    Retry-After instead of a 500, so clients retry instead of reporting a bug. The connection
    itself recovers on the next request: CONN_HEALTH_CHECKS in settings. Exceptions raised
    outside the view (e.g. in middleware) reach web.views.errors.server_error, which does the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logging.getLogger("csgrants.ops").warning(
                "database unavailable: %s", exception.__class__.__name__, exc_info=exception
            )
            return database_unavailable_response(request)
        return None


def otp_required_for(user) -> bool:
    """Whether the administrator requires two-factor login of this user: by role
    (OTP_REQUIRED_ROLES) or by membership of the group "2fa-required"."""
    if not user.is_authenticated:
        return False
    roles = set(settings.CSGRANTS_OTP_REQUIRED_ROLES)
    if user.role in roles or (user.is_superuser and "admin" in roles):
        return True
    return user.groups.filter(name="2fa-required").exists()


def has_confirmed_device(user) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))


# Pages a half-logged-in user may still reach: the two-factor steps themselves, logging out,
# switching the language and the health check.
_OTP_EXEMPT = {"ops:otp-verify", "ops:otp-setup", "logout", "login", "set_language", "ops:healthz"}


_OTP_STEP_KEY = "_ops_otp_step"


def _otp_step(request, user) -> str:
    """Which two-factor step this session still needs ("" for none), worked out once per
    session: a policy change (role list, group) applies from the next login on."""
    cached = request.session.get(_OTP_STEP_KEY)
    if cached is not None and cached.get("user") == user.pk:
        return cached["step"]
    if has_confirmed_device(user):
        step = "ops:otp-verify"
    elif otp_required_for(user):
        step = "ops:otp-setup"
    else:
        step = ""
    request.session[_OTP_STEP_KEY] = {"user": user.pk, "step": step}
    return step


class OTPRequiredMiddleware:
    """After a password login, a user with a confirmed authenticator must enter a code before
    anything else; a user for whom two-factor login is required but who has none must set one
    up first. Runs after django_otp's OTPMiddleware (which provides `user.is_verified()`).
    API calls with a token do not pass through a session login and are not affected; API calls
    riding on an unverified session get 403 problem details."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _OTP_EXEMPT:
            return None
        step = _otp_step(request, user)
        if not step:
            return None
        if request.path.startswith("/api/"):
            return problem_response(
                request,
                status=403,
                code="OTP_REQUIRED",
                title="Two-factor login required",
                detail="Complete the two-factor login in the browser, or use an API token.",
            )
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
