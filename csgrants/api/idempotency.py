"""Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header).

The first answer to (user, key) is stored with a fingerprint of the request; a retry with the
same key and the same request gets that answer again and changes nothing; the same key with a
different request answers 422. Records live at least IDEMPOTENCY_TTL (24 hours).

Concurrency: the record is inserted at the start of the request's transaction. A concurrent
retry's insert of the same (user, key) blocks on the unique index until the first transaction
ends, then inserts nothing; the retry then reads the committed first answer. If the first
request failed with a server error everything (its record included) rolls back, so a retry
does the work."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from csgrants.api.models import IdempotencyRecord
from csgrants.core.errors import DomainError, ValidationFailed
from csgrants.core.transactions import insert_if_absent

HEADER = "Idempotency-Key"
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKeyReused(DomainError):
    code = "IDEMPOTENCY_KEY_REUSED"
    status = 422


class IdempotencyInProgress(DomainError):
    code = "IDEMPOTENCY_IN_PROGRESS"
    status = 409


def ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "CSGRANTS_IDEMPOTENCY_TTL_HOURS", 24))


def fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "lists"):
        data = dict(data.lists())
    payload = {"method": request.method, "path": request.path, "body": data}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(
        record.body, status=record.status_code, content_type=record.content_type or None
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(view, request, handler) -> Response:
    """Run `handler()` (which returns a Response or raises) at most once per Idempotency-Key."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    if not _KEY_RE.match(key):
        raise ValidationFailed(_("must be 1 to 255 visible ASCII characters"), field=HEADER)
    digest = fingerprint(request)  # parses the body first: bad JSON is a 400, not a stored answer
    user = request.user
    now = timezone.now()
    with transaction.atomic():
        record = IdempotencyRecord(user=user, key=key, fingerprint=digest, created_at=now)
        if not insert_if_absent(record, unique=("user", "key")):
            record = IdempotencyRecord.objects.select_for_update().get(user=user, key=key)
            if record.created_at < now - ttl():
                record.delete()
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=digest, created_at=now
                )
            elif record.fingerprint != digest:
                raise IdempotencyKeyReused(
                    _("this Idempotency-Key was used for a different request"), field=HEADER
                )
            elif record.status_code is None:
                raise IdempotencyInProgress(
                    _("a request with this Idempotency-Key is still being processed")
                )
            else:
                return _replay(record)
        try:
            response = handler()
        except Exception as exc:
            response = view.handle_exception(exc)
        if response.status_code >= 500:
            # Roll back the record with everything else: the retry must do the work.
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.content_type = response.content_type or ""
        record.body = json.loads(JSONRenderer().render(response.data) or b"null")
        record.save(update_fields=["status_code", "content_type", "body"])
    return response
