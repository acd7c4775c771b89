"""One browser journey from approval to payment, in the system Chromium: the provider starts the
trajectory and proposes an extension, the reviewer approves it, the provider files the final
report, the reviewer accepts it, a budget manager prepares the payment batch, a second person
approves it and finance's answer "paid" closes the file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from csgrants.applications.models import Application, Status
from csgrants.core import clock
from csgrants.web.tests.browser.test_journeys import ensure_catalogue

PASSWORD = "demo-password-123"  # conftest.make_user


def login(chromium, live_server, username):
    # English pages: the labels below are the source strings.
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    # The browser asks for English, but the site is Dutch until the user chooses English.
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator(
        "main form button[type=submit], form:has(#id_password) button[type=submit]"
    ).first.click()
    page.wait_for_load_state()
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_from_approval_to_payment_in_the_browser(
    chromium,
    live_server,
    make_application,
    provider_user,
    reviewer,
    budget_manager,
    admin_user,
    axe_check,
):
    ensure_catalogue()
    # The file is approved today (the services use the real date under the live server).
    app = make_application("approved")
    ref = app.reference
    today = clock.today()
    assert app.subsidy_eur is not None

    provider = login(chromium, live_server, provider_user.username)
    provider.goto(f"{live_server.url}/dossiers/{ref}/")
    provider.get_by_role("button", name="Start the trajectory").click()
    provider.wait_for_load_state()
    assert Application.objects.get(pk=app.pk).status == Status.IN_PROGRESS
    axe_check(provider, "after-provider-file")
    provider.get_by_role("link", name="Propose an upgrade or extension").click()
    axe_check(provider, "after-amendment-form")
    provider.get_by_label("extension package").check()
    provider.select_option("#id_package", "EXTENSION")
    provider.fill("#id_extra_cost_eur", "4,000.00")  # the English UI: English amounts
    provider.get_by_role("button", name="Send to the agency").click()
    provider.wait_for_load_state()
    assert "The amendment was sent to the agency." in provider.content()

    # The enterprise confirms the change through the link mailed to its signatory.
    from csgrants.applications.confirmation import token_of
    from csgrants.applications.models import ConfirmationRequest

    link = ConfirmationRequest.objects.get(application=app, amendment__isnull=False)
    enterprise = provider.context.new_page()
    enterprise.goto(f"{live_server.url}/bevestiging/{token_of(link)}/")
    assert "EXTENSION" in enterprise.locator("#declaration-text").inner_text()
    enterprise.fill("#id_name", "An Janssens")
    enterprise.select_option("#id_capacity", "zaakvoerder")
    enterprise.check("#id_agree")
    enterprise.click("#confirm-button")
    enterprise.wait_for_load_state()
    assert ConfirmationRequest.objects.get(pk=link.pk).used_at is not None

    staff = login(chromium, live_server, reviewer.username)
    staff.goto(f"{live_server.url}/wachtrij/{ref}/")
    axe_check(staff, "after-staff-amendment")
    staff.get_by_role("button", name="Record the decision on the amendment").click()
    staff.wait_for_load_state()
    assert "extra subsidy is committed" in staff.content()

    provider.goto(f"{live_server.url}/dossiers/{ref}/")
    provider.get_by_role("link", name="File the final report").click()
    axe_check(provider, "after-final-report-form")
    provider.fill("#id_work_delivered", "Nulmeting, actieplan, MFA en back-ups.")
    provider.fill("#id_actual_cost_eur", "30,000.00")
    for function in ("identify", "protect", "detect", "respond", "recover"):
        for aspect, score in (
            ("documentation_before", "1"),
            ("implementation_before", "2"),
            ("documentation_after", "3"),
            ("implementation_after", "4"),
        ):
            provider.select_option(f"#id_{function}__{aspect}", score)
    provider.check("#id_made_progress")
    provider.check("#id_keep_investing")
    provider.check("#id_satisfaction_score_3")  # the fourth radio: score 4
    provider.get_by_role("button", name="Send the final report").click()
    provider.wait_for_load_state()
    assert Application.objects.get(pk=app.pk).status == Status.COMPLETED

    staff.goto(f"{live_server.url}/wachtrij/{ref}/")
    staff.get_by_role("button", name="Accept the final report").click()
    staff.wait_for_load_state()
    assert staff.locator("#payment-preview").is_visible()
    axe_check(staff, "after-staff-payment")

    # The payment order: the provider's account (four eyes), a batch prepared by one budget
    # manager and approved by another person, finance's answer "paid" closes the file.
    from csgrants.payments import services as payments

    account = payments.bank_account_propose(
        actor=budget_manager,
        provider=app.provider,
        holder="Provider One BV",
        iban="BE68539007547034",
        bic="GKCCBEBB",
        street="Kouter",
        building_number="1",
        postal_code="9000",
        town="Gent",
    )
    payments.bank_account_decide(actor=admin_user, account=account, approve=True)
    payer = login(chromium, live_server, budget_manager.username)
    payer.goto(f"{live_server.url}/betalingen/")
    payer.get_by_role("button", name="Prepare a payment batch").click()
    payer.wait_for_load_state()
    assert payer.get_by_role("button", name="Approve the batch").count() == 0  # not the preparer
    batch_url = payer.url
    approver = login(chromium, live_server, admin_user.username)
    approver.goto(batch_url)
    approver.get_by_role("button", name="Approve the batch").click()
    approver.wait_for_load_state()
    assert Application.objects.get(pk=app.pk).status == Status.COMPLETED  # not paid yet
    payer.goto(batch_url)
    with payer.expect_download() as info:
        payer.get_by_role("link", name="Credit transfer file (ISO 20022 pain.001.001.09)").click()
    assert b"pain.001.001.09" in Path(info.value.path()).read_bytes()
    payer.set_input_files(
        "#answer-file",
        files=[
            {
                "name": "answer.csv",
                "mimeType": "text/csv",
                "buffer": f"reference,status,message,paid_on\n{ref},paid,,{today}\n".encode(),
            }
        ],
    )
    payer.get_by_role("button", name="Record the answer").click()
    payer.wait_for_load_state()
    assert "Paid: 1" in payer.content()

    app.refresh_from_db()
    assert app.status == Status.CLOSED and app.closed_on == today
    # min(30,000 actual, 24,000 + 4,000 approved) x rate, capped at the commitment.
    assert app.payment.amount_eur == min(
        app.payment.committed_eur, Decimal("28000") * app.rate_pct / 100
    )
    provider.goto(f"{live_server.url}/dossiers/{ref}/")
    assert provider.locator("#paid").is_visible()
    assert dt.date.today() >= today
