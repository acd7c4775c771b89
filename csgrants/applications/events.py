"""What happened to a file, announced to whoever listens: "submitted", "decision", "payment"...
with the object it concerns.

Why a list of listeners: `applications` sits below `notifications` (the mails read the files,
their decisions and payments), so the services must not import the mail code, or the two apps
import each other. The services announce here; `notifications` subscribes once at start-up
(its AppConfig.ready) and turns each event into a task enqueued after commit. Plain callables,
not Django signals: one explicit subscription to read, listeners called in order inside the
service's transaction, and an error in one is not swallowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str, Any], None]

_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call `listener(event, obj)` for every event announced from now on (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def announce(event: str, obj: Any) -> None:
    """Tell every listener that `event` happened to `obj` (a saved model instance). Called by
    the services inside their transaction: a listener that sends anything waits for the commit."""
    for listener in list(_listeners):
        listener(event, obj)
