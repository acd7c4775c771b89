"""The client address for login throttling, honest behind a reverse proxy."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """With TRUSTED_PROXY_COUNT=n reverse proxies in front, the client is the n-th address from
    the right of X-Forwarded-For (the ones further left are whatever the client claimed).
    Without proxies the peer address is the client."""
    count = settings.CSGRANTS_TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
