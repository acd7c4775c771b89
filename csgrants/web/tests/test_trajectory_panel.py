"""The trajectory panel through the web pages (issue 20, item 5): only a file that has a
trajectory shows one, and a stopped file shows its money as released, not as committed. The
buttons come from applications.actions.actions_for."""

from __future__ import annotations

import pytest
from django.urls import reverse

from csgrants.applications.models import Status

pytestmark = pytest.mark.django_db

APPROVED_COST = "Goedgekeurde kostprijs"
COMMITTED = "Vastgelegde steun"
RELEASED = "Vrijgegeven steun"


def pages(client, application, provider_user, reviewer) -> list[str]:
    client.force_login(provider_user)
    mine = client.get(
        reverse("web:application", args=[application.reference]), HTTP_ACCEPT_LANGUAGE="nl"
    )
    client.force_login(reviewer)
    staff = client.get(
        reverse("web:review", args=[application.reference]), HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert mine.status_code == staff.status_code == 200
    return [mine.content.decode(), staff.content.decode()]


@pytest.mark.parametrize("state", ["withdrawn", "withdrawn_draft", "rejected", "submitted"])
def test_a_file_without_a_trajectory_shows_no_trajectory_panel(
    client, make_application, provider_user, reviewer, state
):
    application = make_application(state)
    for page in pages(client, application, provider_user, reviewer):
        assert APPROVED_COST not in page
        assert COMMITTED not in page
        assert 'id="after"' not in page


def test_a_draft_shows_no_trajectory_panel(client, make_application, provider_user):
    draft = make_application("draft")
    client.force_login(provider_user)
    page = client.get(reverse("web:application", args=[draft.reference]), HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 200
    html = page.content.decode()
    assert APPROVED_COST not in html and COMMITTED not in html and 'id="after"' not in html


def test_a_stopped_file_shows_its_subsidy_as_released(
    client, make_application, provider_user, reviewer
):
    application = make_application("stopped")
    assert application.status == Status.STOPPED
    for page in pages(client, application, provider_user, reviewer):
        assert APPROVED_COST in page and "24.000,00" in page
        assert COMMITTED not in page
        assert RELEASED in page
        released = page.split('id="released">')[1].split("<")[0]
        assert "12.000,00" in released  # the 50 % of 24.000 committed at approval, released


def test_a_running_file_shows_its_committed_subsidy_and_its_actions(
    client, make_application, provider_user, reviewer
):
    application = make_application("in_progress")
    provider_page, staff_page = pages(client, application, provider_user, reviewer)
    for page in (provider_page, staff_page):
        assert COMMITTED in page and RELEASED not in page
        assert "12.000,00" in page.split('id="committed">')[1].split("<")[0]
    # the provider may amend and report, the reviewer may stop: the buttons of actions_for
    assert reverse("web:amend", args=[application.reference]) in provider_page
    assert reverse("web:final_report", args=[application.reference]) in provider_page
    assert reverse("web:stop", args=[application.reference]) in staff_page
    assert reverse("web:amend", args=[application.reference]) not in staff_page


def test_the_buttons_follow_the_actions_of_the_file(
    client, make_application, provider_user, reviewer
):
    draft = make_application("draft")
    submitted = make_application("submitted")
    client.force_login(provider_user)
    draft_page = client.get(reverse("web:application", args=[draft.reference])).content.decode()
    assert reverse("web:edit", args=[draft.reference]) in draft_page
    assert reverse("web:submit", args=[draft.reference]) in draft_page
    assert reverse("web:withdraw", args=[draft.reference]) in draft_page
    submitted_page = client.get(
        reverse("web:application", args=[submitted.reference])
    ).content.decode()
    assert reverse("web:edit", args=[submitted.reference]) not in submitted_page
    assert reverse("web:submit", args=[submitted.reference]) not in submitted_page
    assert reverse("web:withdraw", args=[submitted.reference]) in submitted_page
    # the edit page of a submitted file is refused, as its missing button says
    response = client.get(reverse("web:edit", args=[submitted.reference]))
    assert response.status_code == 302
