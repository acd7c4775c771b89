"""Audit events: every state change and every edit of a file, in the caller's transaction."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from csgrants.core.models import AuditEvent


def _jsonable(value):
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def actor_user(actor):
    """The actor as a user row for a foreign key: None for the system and for the enterprise's
    signatory, who acts through a link and has no account (`actor_label` names them)."""
    return actor if getattr(actor, "pk", None) else None


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", None) or str(actor)


def audit_record(*, actor, action: str, obj, before=None, after=None) -> AuditEvent:
    """Record who did `action` to `obj`. Inside a service the event is inserted with the
    service's others as it ends (`collected`), so its pk is None until then."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        # The point of the audit trail is that change and record commit together.
        raise RuntimeError("audit_record must run inside the transaction of the change")
    event = AuditEvent(
        created_at=timezone.now(),
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if hasattr(obj, "_meta") else str(type(obj).__name__),
        object_id=str(getattr(obj, "reference", None) or getattr(obj, "pk", obj)),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    pending = getattr(connection, _PENDING, None)
    if pending is not None and pending.savepoint == _innermost_savepoint(connection):
        pending.events.append(event)
        if len(pending.events) >= FLUSH_AT:
            pending.flush()
    else:
        # Outside a service, or inside a savepoint the service opened (which may roll back
        # without the service): written now, in the scope of the change.
        event.save()
    return event


# --- the events of one service, inserted together ---------------------------------------------

_PENDING = "csgrants_pending_audit"  # on the connection, which Django keeps per thread
FLUSH_AT = 500  # a service that audits thousands of rows holds at most this many in memory


def _innermost_savepoint(connection) -> str | None:
    # atomic(savepoint=False) blocks push None: only real savepoints change what rolls back.
    return next((sid for sid in reversed(connection.savepoint_ids) if sid), None)


@dataclass
class _Pending:
    savepoint: str | None  # the savepoint (or None: the transaction) the events belong to
    events: list[AuditEvent] = field(default_factory=list)

    def flush(self) -> None:
        AuditEvent.objects.bulk_create(self.events)
        self.events = []


@contextmanager
def collected(connection):
    """Inside a service's own transaction or savepoint: collect the audit events it records
    and insert them in one statement when it ends well, still inside that transaction (a filing
    records four). If the service fails, its savepoint rolls back its changes and the events
    are dropped with them. Each event keeps the time it was recorded."""
    outer = getattr(connection, _PENDING, None)
    pending = _Pending(savepoint=_innermost_savepoint(connection))
    setattr(connection, _PENDING, pending)
    try:
        yield
        if pending.events:
            pending.flush()
    finally:
        setattr(connection, _PENDING, outer)


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
