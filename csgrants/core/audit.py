"""Audit events: every state change and every edit of a file, in the caller's transaction."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from csgrants.core.models import AuditEvent


def _jsonable(value):
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", None) or str(actor)


def audit_record(*, actor, action: str, obj, before=None, after=None) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        # The point of the audit trail is that change and record commit together.
        raise RuntimeError("audit_record must run inside the transaction of the change")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if hasattr(obj, "_meta") else str(type(obj).__name__),
        object_id=str(getattr(obj, "reference", None) or getattr(obj, "pk", obj)),
        before=_jsonable(before),
        after=_jsonable(after),
    )


def snapshot(obj, fields) -> dict:
    out = {}
    for f in fields:
        v = getattr(obj, f)
        if hasattr(v, "pk"):
            v = str(v)
        elif isinstance(v, Decimal):
            v = f"{v:.2f}"
        elif isinstance(v, date | datetime):
            v = v.isoformat()
        out[f] = v
    return out
