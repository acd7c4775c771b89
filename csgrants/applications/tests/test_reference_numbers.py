"""Reference numbers on PostgreSQL: a sequence per year, created by the year's first filing,
also when two first filings of a year race on separate connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from csgrants.applications.models import Application
from csgrants.applications.services import next_reference

YEAR = 2097  # a year no other test files in


def _drop_sequence() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS csgrants_reference_{YEAR}")


def test_the_first_filing_of_a_year_starts_its_sequence(postgres_only):
    assert [next_reference(YEAR), next_reference(YEAR), next_reference(YEAR + 1)] == [
        f"CS-{YEAR}-00001",
        f"CS-{YEAR}-00002",
        f"CS-{YEAR + 1}-00001",
    ]


def test_taken_references_are_skipped_in_the_database_past_five_digits(
    postgres_only, make_application
):
    """The database function makes the same reference as Python, also beyond 99999, and skips
    the numbers whose reference a file (imported history) already has."""
    assert next_reference(YEAR) == f"CS-{YEAR}-00001"  # the year's sequence exists
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval('csgrants_reference_{YEAR}', 99998)")
    app = make_application("draft")
    Application.objects.filter(pk=app.pk).update(reference=f"CS-{YEAR}-100000")
    assert next_reference(YEAR) == f"CS-{YEAR}-99999"
    assert next_reference(YEAR) == f"CS-{YEAR}-100001"


# serialized_rollback: the catalogue seed comes back for later transactional tests, and
# post_migrate is not re-run after the flush (which would clash with other serialized tests).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_filings_of_a_year_on_separate_connections(postgres_only_tx):
    """The first creates the sequence and holds its transaction open; the second meets the
    uncommitted sequence, waits, and takes the next number once the first commits."""
    _drop_sequence()
    created = threading.Event()
    numbers: dict[str, str] = {}
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                numbers["first"] = next_reference(YEAR)
                created.set()
                threading.Event().wait(0.5)  # the second filing now waits on this one
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
            created.set()
        finally:
            connection.close()

    def second():
        try:
            created.wait(10)
            with transaction.atomic():
                numbers["second"] = next_reference(YEAR)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not errors
        assert numbers == {"first": f"CS-{YEAR}-00001", "second": f"CS-{YEAR}-00002"}
    finally:
        _drop_sequence()
