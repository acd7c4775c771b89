"""A reviewer approves in the browser; the provider downloads the decision letter from the file
page: exactly the stored bytes, a PDF/A whose hash the page shows."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import confirm
from csgrants.applications.models import Status
from csgrants.documents.models import Letter
from csgrants.web.tests.browser.test_journeys import (  # noqa: F401 (fixtures)
    WORDS,
    login,
    logout,
    make_application_for,
    people,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_reviewer_approves_and_the_provider_downloads_the_letter(
    live_server,
    browser_context,
    people,  # noqa: F811
    make_application_for,  # noqa: F811
    screenshot,
):
    from csgrants.applications import services

    app = services.application_submit(
        actor=people["provider"], application=make_application_for(people["provider"])
    )
    app = confirm(app)  # the enterprise confirms (its own browser journey is test_journeys)
    assert app.status == Status.SUBMITTED
    page = browser_context.new_page()
    w = WORDS["nl"]
    login(page, live_server.url, people["reviewer"], w)
    page.goto(f"{live_server.url}/wachtrij/{app.reference}/")
    page.get_by_label("Goedkeuren", exact=True).check()
    page.get_by_role("button", name=w["record"]).click()
    page.wait_for_load_state()
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    letter = Letter.objects.get(application=app)
    logout(page, w)

    login(page, live_server.url, people["provider"], w)
    page.goto(f"{live_server.url}/dossiers/{app.reference}/")
    panel = page.get_by_role("region", name="Beslissingsbrieven")
    assert letter.sha256 in panel.inner_text()
    screenshot(page, "20-provider-decision-letter")
    with page.expect_download() as info:
        panel.get_by_role("link", name=letter.title, exact=False).click()
    content = Path(info.value.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == letter.sha256
