"""The one module that reaches into Django's and DRF's private internals, and why.

Both shortcuts serve the answer to a filing (POST /api/v1/applications/), which must sustain
100 filings a second on two cores (docs/deployment.md). Measured in one process on SQLite, the
same filings answered with and without them, interleaved (issue 19's closing note): 22 ms of
CPU and 22 statements with them, 28.5 ms and 28 statements without; bench/api_load.py on the
shared development machine was too noisy to tell. Everything else uses Django's public API;
nothing outside this module writes a private attribute.

- `set_prefetched`: rows already in hand (the check run a submission just made, the relations
  a new file cannot have yet) stored where Django's prefetch_related stores what it read, so
  that the serializer's `.all()` reads them without a query. Django would store the relation's
  own queryset, whose filter costs ten times as much to build; this stores a queryset that
  only holds the rows. Such a queryset cannot answer a new question: `.filter()`,
  `.exclude()`, `.order_by()` and every other derived queryset raise `RowsInHand` instead of
  silently finding nothing (a test holds that). Read these rows with `.all()`, `len()`,
  iteration, `.count()` or `.exists()`.
- `ModelFieldsOnceMixin`: DRF builds a ModelSerializer's fields from the model on every
  instance (a tenth of the CPU of the answer); they depend only on the class and the active
  language, so they are built once per class and language and each instance gets a deep
  copy, as DRF does with declared fields (a test compares them with a fresh build).
"""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import get_language


class RowsInHand(TypeError):
    """A relation set with `set_prefetched` holds rows, not a query that can be refined."""


_IN_HAND: dict[type, type] = {}


def _in_hand_class(base: type[QuerySet]) -> type[QuerySet]:
    if base not in _IN_HAND:

        def _chain(self, *args: Any, **kwargs: Any) -> QuerySet:
            raise RowsInHand(
                f"{self.model.__name__} rows were handed over in memory (core.internals."
                "set_prefetched): read them with .all(), or query the table itself"
            )

        _IN_HAND[base] = type(f"InHand{base.__name__}", (base,), {"_chain": _chain})
    return _IN_HAND[base]


def set_prefetched(instance: Model, name: str, rows: list) -> None:
    """Store `rows` as what `instance.<name>.all()` returns, without a query."""
    model = instance._meta.get_field(name).related_model
    assert isinstance(model, type) and issubclass(model, Model), f"{name} is not a relation"
    queryset: Any = model._default_manager.none()
    queryset.__class__ = _in_hand_class(type(queryset))
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def is_prefetched(instance: Model, name: str) -> bool:
    return name in instance.__dict__.get("_prefetched_objects_cache", {})


class ModelFieldsOnceMixin:
    # For a DRF ModelSerializer: its fields built once per class and language. (A comment, not
    # a docstring: the schema would take a docstring as the serializer's description.)

    def get_fields(self):
        cache = type(self).__dict__.get("_built_fields")
        if cache is None:
            cache = type(self)._built_fields = {}  # type: ignore[attr-defined]
        language = get_language()
        if language not in cache:
            cache[language] = super().get_fields()  # type: ignore[misc]
        return copy.deepcopy(cache[language])
