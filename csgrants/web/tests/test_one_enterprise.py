"""Two providers, one enterprise (issue 20), on the screens: the reviewer who approves a file
whose checks newly fail at decision time is told which check and decides again knowing it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from csgrants.applications.models import Status
from csgrants.budgets.selectors import provider_balance
from csgrants.budgets.services import allocation_create

pytestmark = pytest.mark.django_db

NUMBER = "0403.170.701"


@pytest.fixture
def two_files(make_application, provider, other_provider, other_provider_user, admin_user):
    """P1 and P2 each filed for the same enterprise, both confirmed and waiting for a decision."""
    for p in (provider, other_provider):
        allocation_create(
            actor=admin_user,
            provider=p,
            amount_eur=Decimal("1000000.00"),
            allocated_on=dt.date(2020, 1, 1),
            kind="initial",
        )
    first = make_application("submitted", number=NUMBER, enterprise_name="Zelfde NV")
    second = make_application(
        "submitted", user=other_provider_user, number=NUMBER, enterprise_name="Zelfde NV"
    )
    return first, second


def test_approving_the_second_file_says_which_check_newly_failed(client, reviewer, two_files):
    first, second = two_files
    client.force_login(reviewer)
    decide = reverse("web:decide", args=[first.reference])
    assert client.post(decide, {"action": "approve"}).status_code == 302
    response = client.post(reverse("web:decide", args=[second.reference]), {"action": "approve"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "De controles liepen opnieuw" in page and "RECENT_TRAJECTORY" in page
    assert f"Traject {first.reference} goedgekeurd" in page
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED and second.decided_on is None
    assert provider_balance(second.provider).committed == 0
    # Knowing it, the reviewer approves: the decision proceeds as before.
    again = client.post(reverse("web:decide", args=[second.reference]), {"action": "approve"})
    assert again.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.APPROVED
    assert provider_balance(second.provider).committed == Decimal("12000.00")


def test_the_message_is_english_for_an_english_reviewer(client, reviewer, two_files):
    first, second = two_files
    reviewer.language = "en"
    reviewer.save()
    client.force_login(reviewer)
    client.post(reverse("web:decide", args=[first.reference]), {"action": "approve"})
    response = client.post(
        reverse("web:decide", args=[second.reference]),
        {"action": "approve"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "The checks were run again" in page and f"Trajectory {first.reference}" in page


def test_parallel_pending_files_are_flagged_in_the_queue_and_on_both_pages(
    client, reviewer, provider_user, other_provider, two_files
):
    first, second = two_files
    client.force_login(reviewer)
    queue = client.get(reverse("web:queue")).content.decode()
    assert queue.count('class="flag parallel"') == 2
    review = client.get(reverse("web:review", args=[first.reference])).content.decode()
    assert 'id="parallel-files"' in review
    assert second.reference in review and other_provider.name in review
    # The provider is told that another file exists, not whose it is.
    client.force_login(provider_user)
    own = client.get(reverse("web:application", args=[first.reference])).content.decode()
    assert "Er bestaat nog een ander open dossier voor deze onderneming" in own
    assert second.reference not in own and other_provider.name not in own


def test_once_one_is_approved_the_other_is_no_longer_parallel(client, reviewer, two_files):
    first, second = two_files
    client.force_login(reviewer)
    client.post(reverse("web:decide", args=[first.reference]), {"action": "approve"})
    queue = client.get(reverse("web:queue")).content.decode()
    assert second.reference in queue and 'class="flag parallel"' not in queue


def test_a_file_alone_is_not_flagged(client, reviewer, make_application, funded):
    app = make_application("submitted")
    client.force_login(reviewer)
    assert 'class="flag parallel"' not in client.get(reverse("web:queue")).content.decode()
    review = client.get(reverse("web:review", args=[app.reference])).content.decode()
    assert 'id="parallel-files"' not in review
