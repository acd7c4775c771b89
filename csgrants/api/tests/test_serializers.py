"""The application serializer builds its model fields once per language (ModelFieldsOnceMixin):
what it hands out must be what DRF would build afresh, and never shared between instances."""

from __future__ import annotations

from django.utils.translation import override

from csgrants.api.serializers import ApplicationSerializer
from csgrants.core.internals import ModelFieldsOnceMixin


def _labels(fields) -> dict:
    return {name: str(f.label) if f.label else None for name, f in fields.items()}


def test_the_built_fields_are_those_of_a_fresh_build_in_each_language():
    for language in ("nl", "en", "nl"):
        with override(language):
            cached = ApplicationSerializer().get_fields()
            fresh = super(ModelFieldsOnceMixin, ApplicationSerializer()).get_fields()
            assert _labels(cached) == _labels(fresh)
            assert [type(f) for f in cached.values()] == [type(f) for f in fresh.values()]
    with override("nl"):
        dutch = _labels(ApplicationSerializer().get_fields())
    with override("en"):
        english = _labels(ApplicationSerializer().get_fields())
    assert dutch["closed_on"] != english["closed_on"]


def test_instances_do_not_share_fields():
    one, two = ApplicationSerializer(), ApplicationSerializer()
    assert one.fields["reference"] is not two.fields["reference"]
    assert one.fields["reference"].parent is one and two.fields["reference"].parent is two
