"""The user's own page: password, language, two-factor login and own API tokens (issue 21)."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from csgrants.api import tokens
from csgrants.api.models import ApiToken
from csgrants.ops.security import client_ip, over_limit

SHOWN_ONCE = "csgrants.new_token"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with the mails limited per e-mail address and per client address
    (issue 20, item 7). Requests are counted whether or not an account has the address, so the
    answer, a sent page or "too many requests", never tells whether it exists."""

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        window = settings.CSGRANTS_PASSWORD_RESET_WINDOW_MINUTES * 60
        # The cache key holds a digest, never the address itself.
        address = hashlib.sha256(form.cleaned_data["email"].strip().lower().encode()).hexdigest()
        by_ip = over_limit(
            f"password-reset-ip:{client_ip(self.request)}",
            limit=settings.CSGRANTS_PASSWORD_RESETS_PER_IP,
            window_seconds=window,
        )
        by_address = over_limit(
            f"password-reset-email:{address}",
            limit=settings.CSGRANTS_PASSWORD_RESETS_PER_EMAIL,
            window_seconds=window,
        )
        if by_ip or by_address:
            form.add_error(
                None,
                _(
                    "Too many requests for a new password. Try again in %(minutes)s minutes. If "
                    "an account has this address, the link sent earlier still works."
                )
                % {"minutes": settings.CSGRANTS_PASSWORD_RESET_WINDOW_MINUTES},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the token"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “CRM koppeling”."),
    )


def _has_two_factor(user) -> bool:
    from django_otp import devices_for_user

    return any(True for _device in devices_for_user(user, confirmed=True))


def _render(request, *, password_form=None, token_form=None, status=200):
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "password_form": password_form or PasswordChangeForm(user),
            "token_form": token_form or TokenForm(),
            "tokens": ApiToken.objects.filter(user=user).order_by("-created_at", "-id"),
            "new_token": request.session.pop(SHOWN_ONCE, None),
            "two_factor": _has_two_factor(user),
        },
        status=status,
    )


@never_cache
@login_required
def account(request):
    return _render(request)


@require_POST
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _render(request, password_form=form, status=422)
    form.save()
    update_session_auth_hash(request, form.user)  # stay logged in
    messages.success(request, _("Your password was changed."))
    return redirect("accounts:account")


@require_POST
@login_required
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, token_form=form, status=422)
    token, raw = tokens.token_create(
        actor=request.user, user=request.user, name=form.cleaned_data["name"]
    )
    # Shown once, on the next page only: the database keeps the hash alone.
    request.session[SHOWN_ONCE] = {"name": token.name, "key": raw}
    return redirect("accounts:account")


@require_POST
@login_required
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:account")
