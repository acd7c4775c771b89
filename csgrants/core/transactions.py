"""The transaction of a service: `@service_atomic` on a service, `with service_atomic():` where a
view groups two service calls into one change (an edit, then the submission).

The outermost service call behaves exactly like `transaction.atomic`: its own transaction, or a
savepoint inside a caller's (a test, the API's idempotency record), so that whoever catches its
error can go on with a clean transaction. A service called by another service joins its
caller's transaction without a savepoint of its own: its error always fails the caller too
(no service catches another's error and carries on), so that savepoint would only cost two
round trips. A filing through the API nested five services (14 of its 52 statements were
SAVEPOINT and RELEASE).

Code that catches a database error and carries on (a unique insert that may race) keeps its own
`transaction.atomic()` around just that statement.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction

_DEPTH = "csgrants_service_depth"  # on the connection, which Django keeps per thread


def service_atomic(func=None):
    """`@service_atomic` on a function, or `with service_atomic():`."""
    return _service_transaction() if func is None else _service_transaction()(func)


@contextmanager
def _service_transaction():
    connection = transaction.get_connection()
    depth = getattr(connection, _DEPTH, 0)
    setattr(connection, _DEPTH, depth + 1)
    try:
        # A depth that outlived its transaction (a connection closed mid-service) must not
        # drop a savepoint somebody relies on: join only a transaction that is open.
        joined = depth > 0 and connection.in_atomic_block
        with transaction.atomic(savepoint=not joined):
            yield
    finally:
        setattr(connection, _DEPTH, depth)
