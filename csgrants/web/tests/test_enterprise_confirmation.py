"""The enterprise confirms its declaration and mandates the provider
(contracts/enterprise-confirmation.md), through the real interfaces: the API and the web form
file, the mail carries the link, the enterprise's page at /bevestiging/<token>/ confirms or
withdraws, the back office decides. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from conftest import DEFAULT_SIGNATORY, confirm, make_user
from csgrants.accounts.models import Role
from csgrants.api.tests.conftest import CREATE_BODY
from csgrants.applications import services
from csgrants.applications.models import (
    Application,
    Confirmation,
    ConfirmationRequest,
    Status,
    StatusChange,
)
from csgrants.applications.tests.after_helpers import at
from csgrants.core.errors import TransitionNotAllowed
from csgrants.core.models import AuditEvent

DAY = dt.date(2025, 4, 7)  # a Monday
LINK = re.compile(r"https?://[^\s]+/bevestiging/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _clean_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(provider_user):
    from rest_framework.test import APIClient

    from csgrants.api.tokens import token_create

    _t, raw = token_create(actor=None, user=provider_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def file_through_api(api, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/applications/", {**CREATE_BODY, **overrides}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def link_in(message) -> tuple[str, str]:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(0), match.group(1)


def mail_to(address: str):
    found = [m for m in mail.outbox if m.to == [address]]
    assert found, [m.to for m in mail.outbox]
    return found[-1]


def form_post(client, url, token_page, **data):
    """POST the page's own form: its CSRF token and the fingerprint of the text it showed."""
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', token_page).group(1)
    shown = re.search(r'name="shown" value="([0-9a-f]{64})"', token_page).group(1)
    return client.post(url, {"csrfmiddlewaretoken": csrf, "shown": shown, **data})


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Testbrowser/1.0")


# --- the signatory ----------------------------------------------------------------------------


def test_submitting_without_a_signatory_answers_400_naming_signatory(api, db):
    body = {k: v for k, v in CREATE_BODY.items() if k != "signatory"}
    response = api.post("/api/v1/applications/", body, format="json")
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "SIGNATORY_REQUIRED"
    assert [e["field"] for e in problem["errors"]] == ["signatory"]
    assert not Application.objects.exists()  # the draft did not stay behind either


def test_the_providers_own_email_is_refused_as_signatory(api, provider_user, db):
    provider_user.email = "Filer@Provider.example"
    provider_user.save()
    signatory = {**DEFAULT_SIGNATORY, "email": "filer@provider.example"}
    response = api.post(
        "/api/v1/applications/", {**CREATE_BODY, "signatory": signatory}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "SIGNATORY_IS_PROVIDER"
    assert [e["field"] for e in response.json()["errors"]] == ["signatory.email"]
    # ... also on a draft changed afterwards
    draft = api.post(
        "/api/v1/applications/", {**CREATE_BODY, "submit": False}, format="json"
    ).json()
    response = api.patch(
        f"/api/v1/applications/{draft['reference']}/", {"signatory": signatory}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "signatory.email"


def test_a_colleague_added_later_cannot_be_the_signatory_at_submission(
    api, provider, make_application, db
):
    draft = make_application("draft")
    colleague = make_user("colleague", Role.PROVIDER, provider)
    colleague.email = DEFAULT_SIGNATORY["email"]
    colleague.save()
    response = api.post(f"/api/v1/applications/{draft.reference}/submit/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "signatory.email"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_web_form_names_the_signatory_field_when_submitting_without_one(
    client, provider_user, make_application
):
    from csgrants.web.tests.test_views import new_application_data

    client.force_login(provider_user)
    data = new_application_data(submit="1")
    for key in ("signatory_name", "signatory_email", "signatory_capacity"):
        data[key] = ""
    response = client.post("/dossiers/nieuw/", data)
    assert response.status_code == 422
    assert response.context["form"].errors["signatory_name"]
    assert "ondertekenaar" in " ".join(response.context["form"].errors["signatory_name"]).lower()
    assert not Application.objects.exists()
    # The provider's own address: named at the e-mail field.
    provider_user.email = "me@provider.example"
    provider_user.save()
    data.update(
        signatory_name="Me", signatory_email="me@provider.example", signatory_capacity="bestuurder"
    )
    response = client.post("/dossiers/nieuw/", data)
    assert response.status_code == 422
    assert response.context["form"].errors["signatory_email"]
    # The detail page's submit button of a draft without one says so too.
    draft = make_application("draft", signatory=None)
    response = client.post(f"/dossiers/{draft.reference}/indienen/", follow=True)
    assert "ondertekenaar" in response.content.decode().lower()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- the flow -------------------------------------------------------------------------------


def test_submit_waits_for_the_enterprise_and_mails_the_signatory_in_dutch(
    api, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://subsidies.example.be"
    with at(DAY):
        body = file_through_api(api, django_capture_on_commit_callbacks)
    assert body["status"] == "awaiting_confirmation"
    assert body["submitted_on"] is None and body["decision_due_on"] is None
    assert body["confirmation"]["state"] == "awaiting"
    assert body["signatory"]["email"] == DEFAULT_SIGNATORY["email"]
    message = mail_to(DEFAULT_SIGNATORY["email"])
    assert message.subject.startswith("Bevestig uw aanvraag")
    assert "verklaring op eer" in message.body
    url, token = link_in(message)
    assert url.startswith("https://subsidies.example.be/bevestiging/")
    # Only a hash of the token is stored.
    row = ConfirmationRequest.objects.get()
    assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ConfirmationRequest.objects.values()))
    assert row.expires_at - row.requested_at == timedelta(days=14)


def test_the_mail_is_english_when_the_file_says_so(api, django_capture_on_commit_callbacks):
    signatory = {**DEFAULT_SIGNATORY, "language": "en"}
    file_through_api(api, django_capture_on_commit_callbacks, signatory=signatory)
    message = mail_to(DEFAULT_SIGNATORY["email"])
    assert message.subject.startswith("Please confirm application")
    assert "declaration on honour" in message.body
    _url, token = link_in(message)
    page = Client().get(f"/bevestiging/{token}/")
    assert "Confirm the declaration on honour" in page.content.decode()


def test_get_shows_the_declaration_and_changes_nothing(
    api, provider, django_capture_on_commit_callbacks
):
    body = file_through_api(api, django_capture_on_commit_callbacks)
    _url, token = link_in(mail_to(DEFAULT_SIGNATORY["email"]))
    before = (
        Application.objects.values().get(),
        list(ConfirmationRequest.objects.values()),
        StatusChange.objects.count(),
        AuditEvent.objects.count(),
        Confirmation.objects.count(),
    )
    for _ in range(3):  # a mail scanner, then the person, then again
        page = Client().get(f"/bevestiging/{token}/")
        assert page.status_code == 200
    html = page.content.decode()
    for shown in (
        "Voorbeeld NV",
        "0403.170.701",
        "MEDIUM",
        "€ 24.000,00",
        "Boekjaar afgesloten op 31/12/2024",
        "kmo-portefeuille",
        provider.name,
        "in haar naam in te dienen en de subsidie te ontvangen",
    ):
        assert shown in html, shown
    after = (
        Application.objects.values().get(),
        list(ConfirmationRequest.objects.values()),
        StatusChange.objects.count(),
        AuditEvent.objects.count(),
        Confirmation.objects.count(),
    )
    assert after == before
    assert body["status"] == "awaiting_confirmation"


def test_post_confirms_stores_the_record_and_starts_the_decision_term(
    api, django_capture_on_commit_callbacks, reviewer
):
    with at(DAY):
        body = file_through_api(api, django_capture_on_commit_callbacks)
    _url, token = link_in(mail_to(DEFAULT_SIGNATORY["email"]))
    confirmed_on = dt.date(2025, 4, 9)  # Wednesday, two days later
    client = csrf_client()
    with at(confirmed_on):
        page = client.get(f"/bevestiging/{token}/")
        text = re.search(
            r'<pre class="declaration" id="declaration-text">(.*?)</pre>',
            page.content.decode(),
            re.S,
        ).group(1)
        response = form_post(
            client,
            f"/bevestiging/{token}/",
            page.content.decode(),
            name="An Janssens",
            capacity="zaakvoerder",
            agree="on",
            REMOTE_ADDR="203.0.113.7",
        )
    assert response.status_code == 200
    assert "Verklaring bevestigd" in response.content.decode()
    app = Application.objects.get(reference=body["reference"])
    assert app.status == Status.SUBMITTED
    assert app.submitted_on == confirmed_on
    # 10 working days from Wednesday 9 April 2025; Easter Monday 21 April is not one.
    assert app.decision_due_on == dt.date(2025, 4, 24)
    record = Confirmation.objects.get()
    import html as html_module

    shown_text = html_module.unescape(text)
    assert record.declaration_text == shown_text
    assert record.declaration_sha256 == hashlib.sha256(shown_text.encode()).hexdigest()
    assert (record.name, record.capacity, record.on) == ("An Janssens", "zaakvoerder", confirmed_on)
    assert record.user_agent == "Testbrowser/1.0"
    assert record.ip_address is not None
    # Append-only.
    with pytest.raises(TypeError):
        record.save()
    # In the audit trail and on the staff file page.
    event = AuditEvent.objects.get(action="confirmation.confirm")
    assert event.after["declaration_sha256"] == record.declaration_sha256
    staff = Client()
    staff.force_login(reviewer)
    page = staff.get(f"/wachtrij/{app.reference}/").content.decode()
    assert record.declaration_sha256 in page and "An Janssens" in page


def test_the_link_works_once_and_a_second_post_answers_410(api, django_capture_on_commit_callbacks):
    file_through_api(api, django_capture_on_commit_callbacks)
    _url, token = link_in(mail_to(DEFAULT_SIGNATORY["email"]))
    client = csrf_client()
    page = client.get(f"/bevestiging/{token}/").content.decode()
    first = form_post(
        client, f"/bevestiging/{token}/", page, name="An", capacity="zaakvoerder", agree="on"
    )
    assert first.status_code == 200
    state = (Confirmation.objects.count(), StatusChange.objects.count())
    second = form_post(
        client, f"/bevestiging/{token}/", page, name="Eve", capacity="bestuurder", agree="on"
    )
    assert second.status_code == 410
    assert "al gebruikt" in second.content.decode()
    assert (Confirmation.objects.count(), StatusChange.objects.count()) == state
    assert client.get(f"/bevestiging/{token}/").status_code == 410


def test_a_link_older_than_14_days_answers_410_and_changes_nothing(
    api, django_capture_on_commit_callbacks
):
    body = file_through_api(api, django_capture_on_commit_callbacks)
    _url, token = link_in(mail_to(DEFAULT_SIGNATORY["email"]))
    ConfirmationRequest.objects.update(
        requested_at=timezone.now() - timedelta(days=14, seconds=1),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    client = csrf_client()
    response = client.get(f"/bevestiging/{token}/")
    assert response.status_code == 410
    assert "verlopen" in response.content.decode()
    client.get("/login/")  # a CSRF cookie; the expired page has no form to take it from
    response = client.post(
        f"/bevestiging/{token}/",
        {"name": "An", "capacity": "zaakvoerder", "agree": "on"},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 410
    assert Application.objects.get(reference=body["reference"]).status == (
        Status.AWAITING_CONFIRMATION
    )
    assert not Confirmation.objects.exists()


def test_an_unknown_token_answers_404_in_dutch_and_reveals_nothing(db):
    response = Client().get("/bevestiging/" + "A" * 43 + "/")
    assert response.status_code == 404
    assert "bestaat niet" in response.content.decode()
    assert Client().get("/bevestiging/short/").status_code == 404


def test_token_lookups_are_throttled_per_address(db, settings):
    settings.CSGRANTS_CONFIRMATION_LOOKUPS_PER_MINUTE = 5
    client = Client()
    codes = [client.get(f"/bevestiging/{'B' * 40}{i:03d}/").status_code for i in range(7)]
    assert codes[:5] == [404] * 5 and codes[5:] == [429, 429]


def test_the_form_requires_name_capacity_and_the_ticked_box(
    api, django_capture_on_commit_callbacks
):
    file_through_api(api, django_capture_on_commit_callbacks)
    _url, token = link_in(mail_to(DEFAULT_SIGNATORY["email"]))
    client = csrf_client()
    page = client.get(f"/bevestiging/{token}/").content.decode()
    response = form_post(client, f"/bevestiging/{token}/", page, name="An", capacity="zaakvoerder")
    assert response.status_code == 422
    assert not Confirmation.objects.exists()
    # Without the CSRF token: refused.
    plain = Client(enforce_csrf_checks=True)
    response = plain.post(
        f"/bevestiging/{token}/", {"name": "An", "capacity": "zaakvoerder", "agree": "on"}
    )
    assert response.status_code == 403
    assert not Confirmation.objects.exists()


# --- after the confirmation: changes, withdrawal, decision ------------------------------------


def test_an_answer_that_changes_the_figures_needs_a_new_confirmation(
    make_application, provider_user, reviewer, funded, django_capture_on_commit_callbacks
):
    with at(DAY):
        app = make_application("submitted")
    with at(dt.date(2025, 4, 8)):
        services.info_request(actor=reviewer, application=app, question="Juiste prijs?")
    mail.outbox.clear()
    with at(dt.date(2025, 4, 10)), django_capture_on_commit_callbacks(execute=True):
        services.application_update(actor=provider_user, application=app, cost_eur="20000.00")
        services.info_answer(actor=provider_user, application=app, answer="Nieuwe offerte.")
    app.refresh_from_db()
    assert app.status == Status.AWAITING_CONFIRMATION
    message = mail_to(DEFAULT_SIGNATORY["email"])
    assert "gewijzigd" in message.body
    # The agency cannot decide meanwhile.
    with pytest.raises(TransitionNotAllowed):
        services.decision_record(actor=reviewer, application=app, outcome="approved")
    with at(dt.date(2025, 4, 14)):
        app = confirm(app)
    assert app.status == Status.SUBMITTED
    assert app.submitted_on == DAY  # the first confirmation stays the submission date
    # Paused from the request (8/4) to the answer (10/4) and on to the re-confirmation (14/4):
    # 4 working days; 10 + 4 after 7/4, Easter Monday skipped.
    assert app.decision_due_on == dt.date(2025, 4, 28)
    services.decision_record(actor=reviewer, application=app, outcome="approved")
    assert Confirmation.objects.filter(application=app).count() == 2


def test_an_answer_that_changes_nothing_declared_needs_no_new_confirmation(
    make_application, provider_user, reviewer
):
    app = make_application("info_requested")
    services.info_answer(actor=provider_user, application=app, answer="Zie bijlage.")
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_withdrawal_from_the_link_sends_the_file_back_and_blocks_approval(
    api, reviewer, funded, django_capture_on_commit_callbacks
):
    body = file_through_api(api, django_capture_on_commit_callbacks)
    _url, token = link_in(mail_to(DEFAULT_SIGNATORY["email"]))
    client = csrf_client()
    page = client.get(f"/bevestiging/{token}/").content.decode()
    form_post(client, f"/bevestiging/{token}/", page, name="An", capacity="zaakvoerder", agree="on")
    # The used link offers the withdrawal until the decision.
    gone = client.get(f"/bevestiging/{token}/")
    assert gone.status_code == 410 and "intrekken" in gone.content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', gone.content.decode()).group(1)
    response = client.post(f"/bevestiging/{token}/intrekken/", {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 200
    app = Application.objects.get(reference=body["reference"])
    assert app.status == Status.DRAFT
    assert app.submitted_on is None
    assert list(Confirmation.objects.values_list("kind", flat=True)) == ["confirmed", "withdrawn"]
    # The agency cannot approve it: not through the API, not through the service.
    staff_api = _api_for(reviewer)
    response = staff_api.post(
        f"/api/v1/applications/{app.reference}/decision/", {"outcome": "approved"}, format="json"
    )
    assert response.status_code == 409
    with pytest.raises(TransitionNotAllowed):
        services.decision_record(actor=reviewer, application=app, outcome="approved")
    # A second withdrawal changes nothing.
    assert (
        client.post(f"/bevestiging/{token}/intrekken/", {"csrfmiddlewaretoken": csrf}).status_code
        == 410
    )


def _api_for(user):
    from rest_framework.test import APIClient

    from csgrants.api.tokens import token_create

    _t, raw = token_create(actor=None, user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_the_signatory_receives_the_decision_in_its_language(
    make_application, reviewer, funded, django_capture_on_commit_callbacks
):
    app = make_application("submitted", signatory={**DEFAULT_SIGNATORY, "language": "en"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_record(actor=reviewer, application=app, outcome="approved")
    message = mail_to(DEFAULT_SIGNATORY["email"])
    assert app.reference in message.subject
    assert "approved" in message.body


# --- the provider's side ----------------------------------------------------------------------


def test_provider_sees_the_wait_and_can_resend_throttled(
    client, provider_user, make_application, django_capture_on_commit_callbacks, settings
):
    app = make_application("awaiting_confirmation")
    client.force_login(provider_user)
    page = client.get(f"/dossiers/{app.reference}/").content.decode()
    assert "wacht op de onderneming" in page.lower() or "wachten op de onderneming" in page.lower()
    listing = client.get("/dossiers/?status=awaiting_confirmation").content.decode()
    assert app.reference in listing
    settings.CSGRANTS_CONFIRMATION_RESEND_MINUTES = 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dossiers/{app.reference}/bevestiging/opnieuw/")
    _url, new_token = link_in(mail_to(DEFAULT_SIGNATORY["email"]))
    assert ConfirmationRequest.objects.filter(application=app).count() == 2
    # The old link stops working; the new one works.
    old = ConfirmationRequest.objects.filter(application=app).order_by("id").first()
    assert old.superseded_at is not None
    assert Client().get(f"/bevestiging/{new_token}/").status_code == 200
    settings.CSGRANTS_CONFIRMATION_RESEND_MINUTES = 15
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dossiers/{app.reference}/bevestiging/opnieuw/")
    assert ConfirmationRequest.objects.filter(application=app).count() == 2  # throttled


def test_risk_flags_for_staff(make_application, provider, provider_user, reviewer, client):
    provider_user.email = "filer@cyberfirm.example"
    provider_user.save()
    first = make_application(
        "submitted", signatory={**DEFAULT_SIGNATORY, "email": "boss@cyberfirm.example"}
    )
    make_application(
        "submitted",
        number="0202.239.951",
        signatory={**DEFAULT_SIGNATORY, "email": "boss@cyberfirm.example"},
    )
    client.force_login(reviewer)
    page = client.get(f"/wachtrij/{first.reference}/").content.decode()
    assert 'data-code="SIGNATORY_PROVIDER_DOMAIN"' in page
    assert 'data-code="SIGNATORY_SEVERAL_ENTERPRISES"' in page
