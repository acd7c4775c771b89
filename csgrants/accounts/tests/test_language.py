"""Dutch by default whatever the browser asks; English on the user's choice, stored on the user
and used for the pages and the mails (issue 21)."""

from __future__ import annotations

import pytest

from csgrants.accounts.models import Role, User


@pytest.fixture
def consultant(provider):
    return User.objects.create_user(
        "consultant", password="pw-12345678", role=Role.PROVIDER, service_provider=provider
    )


def test_a_browser_asking_for_english_gets_dutch(client, consultant):
    login = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="nl">' in login.content.decode()
    client.force_login(consultant)
    page = client.get("/dossiers/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="nl">' in page.content.decode()
    assert "Mijn dossiers" in page.content.decode()


def test_the_choice_of_english_is_stored_on_the_user_and_survives_a_new_login(client, consultant):
    client.force_login(consultant)
    client.post("/i18n/setlang/", {"language": "en", "next": "/dossiers/"})
    consultant.refresh_from_db()
    assert consultant.language == "en"
    client.logout()
    client.cookies.clear()
    client.force_login(consultant)
    html = client.get("/dossiers/").content.decode()
    assert '<html lang="en">' in html and "My files" in html
    client.post("/i18n/setlang/", {"language": "nl", "next": "/dossiers/"})
    consultant.refresh_from_db()
    assert consultant.language == "nl"


def test_anonymous_pages_offer_the_switch_and_follow_it(client):
    login = client.get("/login/").content.decode()
    assert 'action="/i18n/setlang/"' in login and 'value="en"' in login
    client.post("/i18n/setlang/", {"language": "en", "next": "/wachtwoord/vergeten/"})
    reset = client.get("/wachtwoord/vergeten/").content.decode()
    assert '<html lang="en">' in reset


def test_an_unknown_language_or_foreign_next_changes_nothing(client, consultant):
    client.force_login(consultant)
    r = client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert r.status_code == 302 and r.url == "/"
    consultant.refresh_from_db()
    assert consultant.language == "nl"


def test_the_api_follows_accept_language(client, consultant):
    client.force_login(consultant)
    r = client.get("/api/v1/catalogue/reason-codes/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.headers["Content-Language"] == "en"


def test_the_mails_follow_the_choice_made_on_the_web(
    client, make_application, funded, provider_user, reviewer, django_capture_on_commit_callbacks
):
    from django.core import mail

    from csgrants.applications import services

    provider_user.email = "consultant@provider.example"
    provider_user.save()
    client.force_login(provider_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    app = make_application("submitted")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.info_request(actor=reviewer, application=app, question="Jaarrekening?")
    sent = {m.to[0]: m for m in mail.outbox}
    assert sent["consultant@provider.example"].subject.startswith("Request for information")
