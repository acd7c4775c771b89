"""Today's date for the services. One place to ask, so that the demo loader can build files as
they were on earlier days (`clock.frozen(day)`) without touching the system clock."""

from __future__ import annotations

import contextlib
import contextvars
from datetime import date

from django.utils import timezone

_override: contextvars.ContextVar[date | None] = contextvars.ContextVar(
    "csgrants_today", default=None
)


def today() -> date:
    return _override.get() or timezone.localdate()


@contextlib.contextmanager
def frozen(day: date):
    token = _override.set(day)
    try:
        yield
    finally:
        _override.reset(token)
