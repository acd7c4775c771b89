"""The user's own page: password, language, two-factor link, own API tokens (issue 21); and
the API's index."""

from __future__ import annotations

from csgrants.api.models import ApiToken


def test_every_user_changes_their_password(client, reviewer):
    reviewer.set_password("old-password-123")
    reviewer.save()
    client.force_login(reviewer)
    page = client.get("/mijn-account/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wachtwoord wijzigen" in html and "/tweestapsverificatie/instellen/" in html
    bad = client.post(
        "/mijn-account/wachtwoord/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert bad.status_code == 422
    ok = client.post(
        "/mijn-account/wachtwoord/",
        {
            "old_password": "old-password-123",
            "new_password1": "Nieuw-wachtwoord-2026",
            "new_password2": "Nieuw-wachtwoord-2026",
        },
    )
    assert ok.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password("Nieuw-wachtwoord-2026")
    assert client.get("/mijn-account/").status_code == 200  # still logged in


def test_the_language_choice_on_the_account_page_is_stored(client, provider_user):
    client.force_login(provider_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/mijn-account/"})
    provider_user.refresh_from_db()
    assert provider_user.language == "en"
    assert "My account" in client.get("/mijn-account/").content.decode()


def test_own_api_tokens_made_with_a_name_shown_once_and_revoked(client, provider_user):
    client.force_login(provider_user)
    r = client.post("/mijn-account/tokens/", {"name": "CRM koppeling"})
    assert r.status_code == 302
    token = ApiToken.objects.get(user=provider_user)
    assert token.name == "CRM koppeling"
    first = client.get("/mijn-account/").content.decode()
    key = first.split('id="new-token" class="mono">')[1].split("<")[0]
    assert key.startswith(token.prefix)
    assert key not in client.get("/mijn-account/").content.decode()  # shown once
    # The key works on the API.
    api = client.__class__().get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200
    client.post(f"/mijn-account/tokens/{token.pk}/intrekken/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        client.__class__().get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Token {key}").status_code
        == 401
    )


def test_a_user_cannot_revoke_someone_elses_token(client, provider_user, reviewer):
    from csgrants.api.tokens import token_create

    token, _raw = token_create(actor=reviewer, user=reviewer, name="mine")
    client.force_login(provider_user)
    assert client.post(f"/mijn-account/tokens/{token.pk}/intrekken/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_api_root_answers_an_index(client, db):
    r = client.get("/api/v1/")
    assert r.status_code == 200
    body = r.json()
    assert body["schema"].endswith("/api/v1/schema/")
    assert body["docs"].endswith("/api/v1/docs/")
    assert body["links"]["applications"].endswith("/api/v1/applications/")
