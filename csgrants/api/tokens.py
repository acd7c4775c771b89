"""Services for API tokens: make one (the raw key is returned once and never stored), revoke one."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from csgrants.api.models import ApiToken
from csgrants.core.audit import audit_record
from csgrants.core.errors import NotFound
from csgrants.core.transactions import service_atomic

KEY_PREFIX = "csg_"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@service_atomic
def token_create(*, actor, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; returns (token, raw key). Only the hash is stored."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[: len(KEY_PREFIX) + 6], key_hash=hash_key(raw)
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        after={"user": user.username, "prefix": token.prefix},
    )
    return token, raw


@service_atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token. A user revokes only its own tokens (an administrator, through the admin,
    any); someone else's token is 'not found'."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if actor is not None and token.user_id != actor.pk and not actor.is_superuser:
        raise NotFound("token not found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="api_token.revoke", obj=token, after={"prefix": token.prefix}
        )
    return token
