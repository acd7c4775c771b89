"""The shortcuts into Django's and DRF's internals (core.internals) never give a wrong answer:
rows handed over read back as they are and refuse to be refined, and the serializer fields
built once are those of a fresh build (api/tests/test_serializers.py)."""

from __future__ import annotations

import pytest

from csgrants.core.internals import RowsInHand, is_prefetched, set_prefetched

pytestmark = pytest.mark.django_db


def test_a_new_file_answers_its_check_run_from_memory_and_refuses_a_filter(
    provider_user, django_assert_num_queries
):
    from conftest import filing_fields
    from csgrants.applications.models import CheckRun
    from csgrants.applications.services import application_create

    # filed and submitted at once, as the API does: the service hands its check run over
    application = application_create(
        actor=provider_user, provider=provider_user.service_provider, submit=True, **filing_fields()
    )
    assert is_prefetched(application, "check_runs")
    with django_assert_num_queries(0):
        runs = list(application.check_runs.all())
        assert len(runs) == 1 and application.check_runs.count() == 1
        assert application.check_runs.exists()
        results = list(runs[0].results.all())
    stored = CheckRun.objects.get(application=application)
    assert runs == [stored]
    assert [r.pk for r in results] == list(
        stored.results.order_by("id").values_list("pk", flat=True)
    )
    # Refining the rows in hand would have found nothing before: now it says so.
    for refine in (
        lambda: application.check_runs.filter(all_passed=True),
        lambda: application.check_runs.exclude(pk=0),
        lambda: application.check_runs.order_by("-id"),
        lambda: runs[0].results.filter(outcome="fail"),
    ):
        with pytest.raises(RowsInHand):
            refine()


def test_set_prefetched_stores_exactly_the_rows(make_application):
    from csgrants.catalogue.models import Package

    application = make_application("draft")
    set_prefetched(application, "extensions", [])
    assert list(application.extensions.all()) == [] and not application.extensions.exists()
    plus = Package.objects.get(code="EXTENSION")
    set_prefetched(application, "extensions", [plus])
    assert list(application.extensions.all()) == [plus]
    with pytest.raises(RowsInHand):
        application.extensions.filter(code="EXTENSION").first()
