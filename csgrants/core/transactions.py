"""The transaction of a service: `@service_atomic` on a service, `with service_atomic():` where a
view groups two service calls into one change (an edit, then the submission).

The outermost service call behaves exactly like `transaction.atomic`: its own transaction, or a
savepoint inside a caller's (a test, the API's idempotency record), so that whoever catches its
error can go on with a clean transaction. A service called by another service joins its
caller's transaction without a savepoint of its own: its error always fails the caller too
(no service catches another's error and carries on), so that savepoint would only cost two
round trips. A filing through the API nested five services (14 of its 52 statements were
SAVEPOINT and RELEASE).

The outermost service also collects the audit events recorded in it and inserts them in one
statement as it ends (`core.audit.collected`): a filing records four.

A unique insert that may race goes through `insert_if_absent`: ON CONFLICT DO NOTHING is one
statement, where catching the IntegrityError needs a savepoint around it (two more).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, router, transaction
from django.db.models import signals

from csgrants.core import audit

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
            if joined:
                yield
            else:
                with audit.collected(connection):
                    yield
    finally:
        setattr(connection, _DEPTH, depth)


def insert_if_absent(obj, *, unique: tuple[str, ...]) -> bool:
    """INSERT `obj` unless a row with the same values of the `unique` fields (a unique
    constraint's, exactly) exists; True, with obj.pk set, when it inserted. Like a unique
    insert, it waits for a concurrent transaction that inserted the same key: it inserts if
    that one rolled back and does nothing if it committed, so the caller then reads the winner.

    Model.save()'s signals are not sent, so it refuses a model that has receivers."""
    if signals.pre_save.has_listeners(type(obj)) or signals.post_save.has_listeners(type(obj)):
        raise TypeError(f"{type(obj).__name__} has save signal receivers: use save()")
    meta = obj._meta
    connection = connections[router.db_for_write(type(obj), instance=obj)]
    fields = [f for f in meta.concrete_fields if not (f.primary_key and obj.pk is None)]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    columns = ", ".join(quote(f.column) for f in fields)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in unique)
    placeholders = ", ".join(["%s"] * len(fields))
    # Identifiers come from the model's metadata; values go as parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT ({conflict}) DO NOTHING RETURNING {pk}"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return True


@contextmanager
def custom_plans(using: str = "default"):
    """Queries inside are planned for their own parameter values (PostgreSQL).

    Statements are prepared on the server after five runs (`prepare_threshold`), and PostgreSQL
    then may switch to a generic plan that does not know the parameters. For a search that is
    the wrong plan: not knowing that `%onderneming 12345%` matches 13 of 1.1 million files, it
    walks the primary key expecting an early stop, and reads every file (1.1-1.6 s instead of
    ~100 ms with the trigram indexes). A no-op on other databases."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('plan_cache_mode'), "
                "set_config('plan_cache_mode', 'force_custom_plan', true)"
            )
            previous = cursor.fetchone()[0]
        yield
        # Inside a caller's transaction the setting would outlive this block; an error instead
        # rolls the savepoint back, and the setting with it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('plan_cache_mode', %s, true)", [previous])
