"""Tokens: only a SHA-256 hash is stored, several per user, revocable by their owner; sessions
keep working for the web UI."""

from __future__ import annotations

import hashlib

from django.db import connection
from rest_framework.test import APIClient

from csgrants.api.models import ApiToken
from csgrants.api.tokens import token_create


def _client(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_raw_token_is_never_stored(provider_user):
    token, raw = token_create(actor=None, user=provider_user)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        rows = cursor.fetchall()
    assert rows and not any(raw in str(value) for row in rows for value in row)
    assert raw.startswith(token.prefix) and len(raw) > len(token.prefix) + 30


def test_several_tokens_work_and_record_their_use(provider_user):
    (t1, raw1), (_t2, raw2) = (
        token_create(actor=None, user=provider_user),
        token_create(actor=None, user=provider_user),
    )
    assert raw1 != raw2
    assert _client(raw1).get("/api/v1/applications/").status_code == 200
    assert _client(raw2).get("/api/v1/applications/").status_code == 200
    t1.refresh_from_db()
    assert t1.last_used_at is not None


def test_list_and_revoke_own_tokens(provider_user, other_provider_user):
    t1, raw1 = token_create(actor=None, user=provider_user)
    t2, raw2 = token_create(actor=None, user=provider_user)
    theirs, their_raw = token_create(actor=None, user=other_provider_user)
    me = _client(raw1)
    listed = me.get("/api/v1/tokens/").json()
    assert {t["id"] for t in listed} == {t1.pk, t2.pk}
    assert all("key" not in t and "key_hash" not in t for t in listed)
    assert me.delete(f"/api/v1/tokens/{theirs.pk}/").status_code == 404  # not mine: not found
    assert _client(their_raw).get("/api/v1/tokens/").status_code == 200
    assert me.delete(f"/api/v1/tokens/{t2.pk}/").status_code == 204
    r = _client(raw2).get("/api/v1/applications/")
    assert r.status_code == 401 and r.json()["code"] == "AUTHENTICATION_FAILED"
    assert me.get("/api/v1/applications/").status_code == 200
    assert ApiToken.objects.get(pk=t2.pk).revoked_at is not None


def test_inactive_users_tokens_fail(provider_user):
    _token, raw = token_create(actor=None, user=provider_user)
    provider_user.is_active = False
    provider_user.save()
    assert _client(raw).get("/api/v1/applications/").status_code == 401


def test_session_auth_still_works_for_the_web_ui(client, provider_user):
    client.force_login(provider_user)
    assert client.get("/api/v1/applications/").status_code == 200


def test_admin_can_revoke(client, provider_user):
    from csgrants.accounts.models import User

    client.force_login(
        User.objects.create_superuser("root", "root@example.org", "pw-root-123456", role="admin")
    )
    token, raw = token_create(actor=None, user=provider_user)
    r = client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _client(raw).get("/api/v1/applications/").status_code == 401
