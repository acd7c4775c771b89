"""/healthz, the two-factor login steps and the last-resort error handler."""

from __future__ import annotations

import base64
import json

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from csgrants.ops.forms import TokenForm
from csgrants.ops.health import run_checks
from csgrants.ops.middleware import has_confirmed_device, otp_required_for


@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request):
    """200 when every check passes, 503 otherwise; `?checks=database` limits the checks (for a
    load balancer that should not take the web tier out when only the worker is down)."""
    names = [n for n in request.GET.get("checks", "").split(",") if n] or None
    healthy, results = run_checks(names)
    body = {
        "status": "ok" if healthy else "fail",
        "checks": results,
        "time": timezone.now().isoformat(),
    }
    return HttpResponse(
        json.dumps(body), status=200 if healthy else 503, content_type="application/json"
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of the login for a user with a confirmed authenticator app."""
    if not has_confirmed_device(request.user):
        return redirect("ops:otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "otp_token", _("This code is not valid. Enter the current code of your app.")
        )
    return render(request, "ops/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    user = request.user
    if has_confirmed_device(user):
        return render(request, "ops/otp_setup.html", {"configured": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor login is set up."))
            return redirect(_next_url(request))
        form.add_error(
            "otp_token", _("This code is not valid. Enter the current code of your app.")
        )
    secret = base64.b32encode(device.bin_key).decode("ascii")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return render(
        request,
        "ops/otp_setup.html",
        {
            "configured": False,
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            # segno's SVG carries no script or style attribute: allowed by the CSP.
            "qr_svg": mark_safe(qr_svg),  # noqa: S308
            "required": otp_required_for(user),
            "next": _next_url(request),
        },
    )
