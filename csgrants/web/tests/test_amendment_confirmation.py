"""An amendment proposed after approval changes what the enterprise declared: the enterprise
confirms it through its own link before the agency approves it (contracts/
enterprise-confirmation.md, rule 5). Through the real interfaces: the provider's amendment form,
the mailed link, the enterprise's page, the reviewer's decision form."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from csgrants.applications import amendments, confirmation
from csgrants.applications.models import Amendment, ConfirmationRequest, Status
from csgrants.budgets.models import LedgerEntry
from csgrants.core.errors import TransitionNotAllowed

LINK = re.compile(r"https?://[^\s]+/bevestiging/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _clean_throttle():
    cache.clear()
    yield
    cache.clear()


def _propose(client, provider_user, app, django_capture_on_commit_callbacks, **data):
    client.force_login(provider_user)
    body = {"kind": "extension", "package": "EXTENSION", "extra_cost_eur": "4.000,00", **data}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:amend", args=[app.reference]), body)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Amendment.objects.get(application=app, status="submitted", kind=body["kind"])


def _token_from_mail(app) -> str:
    mails = [m for m in mail.outbox if app.reference in m.subject and m.to == [app.signatory_email]]
    assert mails, [m.subject for m in mail.outbox]
    return LINK.search(mails[-1].body).group(1)


def test_the_enterprise_confirms_an_amendment_before_the_agency_approves_it(
    make_application, provider_user, reviewer, django_capture_on_commit_callbacks
):
    app = make_application("in_progress")
    mail.outbox.clear()
    amendment = _propose(Client(), provider_user, app, django_capture_on_commit_callbacks)

    # The signatory is mailed a link for the change, in the file's language.
    token = _token_from_mail(app)
    mailed = mail.outbox[-1]
    assert "wijziging" in mailed.subject.lower()
    assert "EXTENSION" in mailed.body and "4.000,00" in mailed.body

    # The reviewer cannot approve yet, and sees why; nothing is committed.
    staff = Client()
    staff.force_login(reviewer)
    page = staff.get(reverse("web:review", args=[app.reference])).content.decode()
    assert "nog niet bevestigd" in page
    refused = staff.post(
        reverse("web:amendment_decide", args=[app.reference, amendment.pk]),
        {"outcome": "approved", "note": ""},
        follow=True,
    )
    assert "nog niet bevestigd" in refused.content.decode()
    amendment.refresh_from_db()
    assert amendment.status == "submitted"
    assert not LedgerEntry.objects.filter(amendment=amendment).exists()

    # The enterprise's page shows the change; GET changes nothing.
    enterprise = Client()
    shown = enterprise.get(f"/bevestiging/{token}/")
    assert shown.status_code == 200
    text = shown.context["text"]
    assert "Voorgestelde wijziging na goedkeuring: uitbreidingspakket EXTENSION" in text
    assert "Bijkomende offerteprijs: € 4.000,00" in text
    confirmed = enterprise.post(
        f"/bevestiging/{token}/",
        {
            "name": "An Janssens",
            "capacity": "zaakvoerder",
            "agree": "on",
            "shown": shown.context["digest"],
        },
    )
    assert confirmed.status_code == 200, confirmed.content.decode()[:2000]
    app.refresh_from_db()
    assert app.status == Status.IN_PROGRESS  # the file keeps its status
    assert confirmation.amendment_confirmed(amendment)
    # The link works once.
    assert enterprise.post(f"/bevestiging/{token}/", {}).status_code == 410

    # Now the reviewer approves it.
    staff.post(
        reverse("web:amendment_decide", args=[app.reference, amendment.pk]),
        {"outcome": "approved", "note": ""},
    )
    amendment.refresh_from_db()
    assert amendment.status == "approved"
    assert LedgerEntry.objects.filter(amendment=amendment, kind="commit").exists()


def test_a_rejection_needs_no_confirmation_and_closes_the_link(
    make_application, provider_user, reviewer, django_capture_on_commit_callbacks
):
    app = make_application("in_progress")
    amendment = _propose(Client(), provider_user, app, django_capture_on_commit_callbacks)
    token = _token_from_mail(app)
    amendments.amendment_decide(
        actor=reviewer, amendment=amendment, outcome="rejected", reasons=["OTHER"]
    )
    assert Client().get(f"/bevestiging/{token}/").status_code == 410


def test_the_service_refuses_approval_before_confirmation(
    make_application, provider_user, reviewer
):
    app = make_application("approved")
    amendment = amendments.amendment_request(
        actor=provider_user, application=app, kind="upgrade", package="PLUS", extra_cost_eur="6000"
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    assert refused.value.code == "CONFIRMATION_REQUIRED"
    app.refresh_from_db()
    assert app.current_package.code != "PLUS"


def test_two_amendments_each_keep_their_own_link_and_the_provider_can_resend(
    make_application, provider_user, reviewer, django_capture_on_commit_callbacks, settings
):
    settings.CSGRANTS_CONFIRMATION_RESEND_MINUTES = 0
    app = make_application("in_progress")
    client = Client()
    upgrade = _propose(
        client,
        provider_user,
        app,
        django_capture_on_commit_callbacks,
        kind="upgrade",
        package="PLUS",
        extra_cost_eur="6.000,00",
    )
    extension = _propose(client, provider_user, app, django_capture_on_commit_callbacks)
    open_links = ConfirmationRequest.objects.filter(
        application=app, used_at__isnull=True, superseded_at__isnull=True
    )
    assert {r.amendment_id for r in open_links} == {upgrade.pk, extension.pk}

    page = client.get(reverse("web:application", args=[app.reference])).content.decode()
    assert "resend-amendment-button" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:confirmation_resend", args=[app.reference]))
    fresh = open_links.order_by("-requested_at", "-pk").first()
    assert fresh.amendment_id == upgrade.pk  # the oldest change that waits, first
    assert open_links.filter(amendment=extension).count() == 1  # untouched
