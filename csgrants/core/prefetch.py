"""Related rows already in hand, stored where Django's own prefetch would put them."""

from __future__ import annotations


def set_prefetched(instance, name: str, rows: list) -> None:
    """Store `rows` as the prefetched `instance.<name>.all()`, the way Django's
    prefetch_related_objects stores what it read: later reads of the relation use them
    without a query.

    Django's own prefetch stores the relation's queryset; this stores an empty queryset of the
    related model, because building the relation's filter costs ten times as much (0.15 ms,
    five times in the answer to a filing). A .filter() on it therefore finds nothing instead
    of querying: read these rows with .all()."""
    queryset = instance._meta.get_field(name).related_model._default_manager.none()
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def is_prefetched(instance, name: str) -> bool:
    return name in instance.__dict__.get("_prefetched_objects_cache", {})
