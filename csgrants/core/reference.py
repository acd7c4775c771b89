"""Reference data that every filing reads (enterprise kinds, packages and their former names, the
policy versions, the closing days), kept per process and reloaded when it
changes, in whichever process it was changed.

Saving or deleting a watched model through the ORM (the admin, commands, tests) gives the one
ReferenceDataVersion row a new random token in the same transaction; `cached` compares that
token, read with one plain statement, with the token its copy was loaded under. Reading a
token is a third of the CPU of the ORM query it replaces, and four such queries were a tenth
of a filing's. A random token rather than a counter: a counter repeats after a rollback, and a
copy loaded inside a transaction that rolled back would pass for the next change's.

update(), raw SQL and restores send no signal: call `reference_changed()` after them.

Within one request the token is read once (a filing has four cached reads): a change committed
elsewhere while a request runs is seen by the next one, as if the request had come a moment
earlier. A request that changes reference data itself reads the token every time from then on,
so that it sees its own change, and a rollback of it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar, cast

from asgiref.local import Local
from django.core import signals as request_signals
from django.db import connection
from django.db.models import signals

T = TypeVar("T")

_COPIES: dict[str, tuple[int, object]] = {}  # name -> (token, value)
# The token read in the current request: per thread under gthread workers, per request under
# ASGI (asgiref's Local, as Django's connections); `in_request` is false outside requests
# (commands, the worker), which read it every time.
_REQUEST = Local()


def _token() -> int | None:
    from csgrants.core.models import ReferenceDataVersion

    remembered = getattr(_REQUEST, "token", None)
    if remembered is not None:
        return remembered
    table = connection.ops.quote_name(ReferenceDataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 - model's table
        row = cursor.fetchone()
    token = None if row is None else row[0]
    if getattr(_REQUEST, "in_request", False):
        _REQUEST.token = token
    return token


def on_request_started(**_signal) -> None:
    _REQUEST.in_request, _REQUEST.token = True, None


def on_request_finished(**_signal) -> None:
    _REQUEST.in_request, _REQUEST.token = False, None


def cached(name: str, load: Callable[[], T]) -> T:
    """`load()`'s value, loaded again only when the reference data changed since."""
    token = _token()
    copy = _COPIES.get(name)
    if copy is not None and token is not None and copy[0] == token:
        return cast(T, copy[1])
    value = load()
    if token is not None:  # without the row (a flushed test database) nothing is kept
        _COPIES[name] = (token, value)
    return value


def reference_changed(**_signal) -> None:
    from csgrants.core.models import ReferenceDataVersion

    ReferenceDataVersion.objects.filter(pk=1).update(token=secrets.randbits(62))
    on_request_finished()  # this request reads the token every time from now on


def forget() -> None:
    """Drop this process's copies (tests: their rolled-back rows must not outlive them)."""
    _COPIES.clear()
    on_request_finished()


def read_once_per_request() -> None:
    """Read the token once per request (core's AppConfig.ready)."""
    request_signals.request_started.connect(on_request_started, dispatch_uid="reference-start")
    request_signals.request_finished.connect(on_request_finished, dispatch_uid="reference-end")


def _relation_changed(*, action: str, **_signal) -> None:
    if action.startswith("post_"):
        reference_changed()


def watch(*models) -> None:
    """Give the token a new value whenever one of `models` is saved or deleted (AppConfig.ready);
    for a many-to-many table, whenever its relation is added to, removed from or cleared."""
    for model in models:
        uid = f"reference-{model._meta.label_lower}"
        signals.post_save.connect(reference_changed, sender=model, dispatch_uid=f"{uid}-save")
        signals.post_delete.connect(reference_changed, sender=model, dispatch_uid=f"{uid}-delete")
        if model._meta.auto_created:  # rows of a ManyToManyField change without save()
            signals.m2m_changed.connect(_relation_changed, sender=model, dispatch_uid=f"{uid}-m2m")
