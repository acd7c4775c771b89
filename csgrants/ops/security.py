"""The client address for login throttling, honest behind a reverse proxy; a counter of
requests per key and time window for the forms that send mail."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


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


def over_limit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one more request for `key` in the current fixed window of `window_seconds`; True
    when that makes more than `limit`. The counters live in the default cache: per process with
    the local-memory cache, across workers with a shared CACHES backend."""
    window = int(time.time() // window_seconds)
    slot = f"limit:{key}:{window}"
    if cache.add(slot, 1, timeout=window_seconds * 2):
        return limit < 1
    try:
        count = cache.incr(slot)
    except ValueError:  # expired between add and incr
        cache.add(slot, 1, timeout=window_seconds * 2)
        count = 1
    return count > limit
