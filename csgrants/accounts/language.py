"""The interface language: Dutch by default whatever the browser asks, English on the user's
explicit choice. A Flemish agency's service is Dutch; a browser's Accept-Language header is not a
choice the user made, so the web pages ignore it.

- A signed-in user's choice is stored on the user (`User.language`); the pages and the mails
  (csgrants/notifications/mail.py) follow it, on every device and after a new login.
- Anonymous pages (login, password reset) follow the language cookie that the switch sets.
- The API (/api/) is a machine interface: a client asks for English with Accept-Language
  (contracts/api.md); without it the answers are Dutch.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

SUPPORTED = {code for code, _name in settings.LANGUAGES}
DEFAULT = settings.LANGUAGE_CODE


def _supported(code: str | None) -> str | None:
    code = (code or "").lower()[:2]
    return code if code in SUPPORTED else None


def language_for(request) -> str:
    if request.path.startswith("/api/"):
        return _supported(translation.get_language_from_request(request)) or DEFAULT
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return _supported(getattr(user, "language", "")) or DEFAULT
    return _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) or DEFAULT


class UserLanguageMiddleware:
    """Replaces Django's LocaleMiddleware; runs after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Activated again: a view may have switched the language (set_language).
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def adopt_choice_at_login(sender, request, user, **kwargs):
    """A language chosen with the switch on the login page is the user's choice: store it."""
    chosen = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) if request else None
    if chosen and getattr(user, "language", chosen) != chosen:
        user.language = chosen
        user.save(update_fields=["language"])


@require_POST
def set_language(request):
    """The language switch: stores the choice on the user (pages and mails), and in the cookie
    for the anonymous pages."""
    language = _supported(request.POST.get("language"))
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language is None:
        return response
    user = request.user
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    translation.activate(language)
    response = HttpResponseRedirect(translate_url(target, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
