"""Error pages with DEBUG off: the site's layout, the user's language, a way back (issue 21)."""

from __future__ import annotations

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client, override_settings
from django.urls import path

from csgrants.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("boom")


def suspicious(request):
    raise SuspiciousOperation("bad")


urlpatterns = [
    path("test-boom/", boom),
    path("test-suspicious/", suspicious),
    *site_urlpatterns,
]
handler400 = "csgrants.web.views.errors.bad_request"
handler403 = "csgrants.web.views.errors.permission_denied"
handler404 = "csgrants.web.views.errors.page_not_found"
handler500 = "csgrants.web.views.errors.server_error"

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def off(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.mark.parametrize(
    ("url", "status", "dutch", "english"),
    [
        ("/bestaat-niet/", 404, "Deze pagina bestaat niet", "This page does not exist"),
        ("/werk/", 403, "U hebt geen toegang tot deze pagina", "You do not have access"),
        ("/test-suspicious/", 400, "Dit verzoek kon niet verwerkt worden", "could not be handled"),
        ("/test-boom/", 500, "Er ging iets mis bij ons", "Something went wrong on our side"),
    ],
)
def test_error_pages_in_the_layout_and_the_users_language(
    off, provider_user, url, status, dutch, english
):
    client = Client(raise_request_exception=False)
    client.force_login(provider_user)
    r = client.get(url, HTTP_REFERER="http://testserver/dossiers/")
    html = r.content.decode()
    assert r.status_code == status
    assert dutch in html
    assert 'class="site-header"' in html and "Mijn dossiers" in html  # the layout, the menu
    assert "Terug naar de vorige pagina" in html and "Naar de startpagina" in html  # ways back
    provider_user.language = "en"
    provider_user.save()
    r = client.get(url)
    assert english in r.content.decode()
    assert "Go to the home page" in r.content.decode()


def test_anonymous_404_offers_login_and_the_switch(off):
    r = Client().get("/bestaat-niet/")
    html = r.content.decode()
    assert r.status_code == 404
    assert "Deze pagina bestaat niet" in html and 'href="/login/"' in html
    assert 'action="/i18n/setlang/"' in html


@override_settings(DEBUG=False)
def test_an_expired_form_says_so_in_dutch(db, provider_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_user)
    r = client.post("/dossiers/nieuw/", {})
    assert r.status_code == 403
    assert "Het formulier is verlopen" in r.content.decode()
