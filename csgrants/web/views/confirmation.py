"""The enterprise's page: `/bevestiging/<token>/` (contracts/enterprise-confirmation.md).

No login: the personal link is the capability. GET only shows the declaration (mail scanners
that open links change nothing); POST, an ordinary form with Django's CSRF token, confirms;
`intrekken/` withdraws a confirmation given through this link until the decision. Every lookup
is throttled per client address, and an unknown link answers the same page whatever file
exists, in Dutch (English when the file says so, once the link is known)."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from csgrants.applications import confirmation as confirmations
from csgrants.applications.models import Capacity
from csgrants.core import clock
from csgrants.core.errors import Conflict, NotFound, ValidationFailed
from csgrants.ops.security import client_ip


class ConfirmForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    capacity = forms.ChoiceField(label=_("Capacity"), choices=Capacity.choices)
    agree = forms.BooleanField(
        label=_(
            "I confirm on honour, in the name of the enterprise, the declaration above and mandate "
            "the service provider named in it."
        )
    )
    shown = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


def _throttled(request) -> bool:
    """At most CSGRANTS_CONFIRMATION_LOOKUPS_PER_MINUTE lookups per client address a minute."""
    key = f"confirmation-lookups:{client_ip(request)}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=120):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
    return count > settings.CSGRANTS_CONFIRMATION_LOOKUPS_PER_MINUTE


def _page(request, template: str, context: dict, status: int = 200, language: str = "nl"):
    with translation.override(language):
        response = render(request, template, {"language": language, **context}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the address: no other site sees it. (Not no-referrer: Chromium then
    # posts the form with `Origin: null`, which the CSRF check refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response


def _gone(request, row, reason: str):
    application = row.application
    return _page(
        request,
        "confirmation/gone.html",
        {
            "reason": reason,
            "application": application,
            "can_withdraw": confirmations.withdrawable(row, application),
            "token": request.resolver_match.kwargs["token"],
        },
        status=410,
        language=row.language,
    )


def _unknown(request):
    return _page(request, "confirmation/unknown.html", {}, status=404)


def _too_many(request):
    return _page(request, "confirmation/throttled.html", {}, status=429)


def _show(request, row, token, form, status=200):
    application = row.application
    if row.amendment_id is None:
        # Shown as it will be confirmed: priced as of today, in memory only (GET changes
        # nothing). An amendment's file is approved: its price is the decision's.
        from csgrants.applications.services import application_price_for_review

        application_price_for_review(application, clock.today())
    text = confirmations.declaration_text(application, row.language, row.amendment)
    digest = confirmations.sha256_of(text)
    if not form.is_bound:
        form = ConfirmForm(
            initial={
                "name": application.signatory_name,
                "capacity": application.signatory_capacity,
                "shown": digest,
            }
        )
    return _page(
        request,
        "confirmation/page.html",
        {
            "application": application,
            "request_row": row,
            "text": text,
            "digest": digest,
            "form": form,
            "token": token,
        },
        status=status,
        language=row.language,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def page(request, token):
    if _throttled(request):
        return _too_many(request)
    try:
        row = confirmations.request_for_token(token)
    except NotFound:
        return _unknown(request)
    state = confirmations.link_state(row)
    if state != "open":
        return _gone(request, row, state)
    if request.method == "GET":
        return _show(request, row, token, ConfirmForm())
    with translation.override(row.language):
        form = ConfirmForm(request.POST)
        valid = form.is_valid()
    if not valid:
        return _show(request, row, token, form, status=422)
    try:
        confirmation = confirmations.confirmation_confirm(
            token=token,
            name=form.cleaned_data["name"],
            capacity=form.cleaned_data["capacity"],
            agree=form.cleaned_data["agree"],
            shown_sha256=form.cleaned_data["shown"],
            ip_address=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except confirmations.LinkGone as exc:
        row.refresh_from_db()
        return _gone(request, row, exc.reason)
    except Conflict:
        form = ConfirmForm()  # the file changed since the page was shown: read it again
        return _show(request, row, token, form, status=409)
    except ValidationFailed as exc:
        for field, message in exc.errors:
            if field in form.fields:
                form.add_error(field, message)
        return _show(request, row, token, form, status=422)
    return _page(
        request,
        "confirmation/done.html",
        {"confirmation": confirmation, "application": row.application, "token": token},
        language=row.language,
    )


@never_cache
@csrf_protect
@require_POST
def withdraw(request, token):
    if _throttled(request):
        return _too_many(request)
    try:
        row = confirmations.request_for_token(token)
    except NotFound:
        return _unknown(request)
    try:
        confirmations.confirmation_withdraw(
            token=token,
            ip_address=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except confirmations.LinkGone as exc:
        row.refresh_from_db()
        return _gone(request, row, exc.reason)
    return _page(
        request,
        "confirmation/withdrawn.html",
        {"application": row.application},
        language=row.language,
    )
