"""The after-approval screens through Django's test client: the provider starts, proposes an
amendment and files the final report; staff decide, send back, accept and pay."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import confirm_amendment
from csgrants.applications.models import Amendment, FinalReport, Status
from csgrants.applications.tests.after_helpers import at
from csgrants.budgets.models import LedgerEntry

pytestmark = pytest.mark.django_db
DAY = dt.date(2023, 3, 1)


def report_post(**overrides):
    data = {
        "work_delivered": "Nulmeting en actieplan.",
        "actual_cost_eur": "20.000,00",
        "made_progress": "on",
        "keep_investing": "on",
        "satisfaction_score": "5",
        "testimonial_consent": "",
        "testimonial": "",
    }
    for f in ("identify", "protect", "detect", "respond", "recover"):
        for a, v in (
            ("documentation_before", 1),
            ("implementation_before", 2),
            ("documentation_after", 3),
            ("implementation_after", 4),
        ):
            data[f"{f}__{a}"] = str(v)
    data.update(overrides)
    return data


def test_provider_and_staff_screens_from_approval_to_payment(
    client, make_application, provider_user, reviewer, budget_manager, admin_user
):
    with at(DAY):
        app = make_application("approved")
        ref = app.reference
        client.force_login(provider_user)
        page = client.get(reverse("web:application", args=[ref]))
        assert (
            "Start the trajectory" in page.content.decode()
            or "Start het traject" in page.content.decode()
        )
        client.post(reverse("web:start", args=[ref]))
        app.refresh_from_db()
        assert app.status == Status.IN_PROGRESS

        # Amendment: a main package chosen for an extension is refused next to the field.
        bad = client.post(
            reverse("web:amend", args=[ref]),
            {"kind": "extension", "package": "PLUS", "extra_cost_eur": "4.000,00"},
        )
        assert bad.status_code == 422 and not Amendment.objects.exists()
        client.post(
            reverse("web:amend", args=[ref]),
            {"kind": "extension", "package": "EXTENSION", "extra_cost_eur": "4.000,00"},
        )
        amendment = Amendment.objects.get()
        assert amendment.extra_subsidy_eur == Decimal("2000.00")

        confirm_amendment(amendment)
        client.force_login(reviewer)
        staff_page = client.get(reverse("web:review", args=[ref])).content.decode()
        assert f"decide-amendment-{amendment.pk}" in staff_page
        assert (
            "Package and cost within the policy" in staff_page
            or "Pakket en kostprijs" in staff_page
        )
        client.post(
            reverse("web:amendment_decide", args=[ref, amendment.pk]),
            {"outcome": "approved", "note": ""},
        )
        amendment.refresh_from_db()
        assert amendment.status == "approved"
        assert LedgerEntry.objects.filter(amendment=amendment, kind="commit").exists()

        client.force_login(provider_user)
        invalid = client.post(
            reverse("web:final_report", args=[ref]), report_post(identify__documentation_after="")
        )
        assert invalid.status_code == 422 and not FinalReport.objects.exists()
        client.post(reverse("web:final_report", args=[ref]), report_post())
        app.refresh_from_db()
        assert app.status == Status.COMPLETED

        client.force_login(reviewer)
        client.post(reverse("web:report_send_back", args=[ref]), {"note": "Facturen ontbreken."})
        app.refresh_from_db()
        assert app.status == Status.IN_PROGRESS
        client.force_login(provider_user)
        form = client.get(reverse("web:final_report", args=[ref])).content.decode()
        assert "Facturen ontbreken." in form
        client.post(reverse("web:final_report", args=[ref]), report_post())
        client.force_login(reviewer)
        client.post(reverse("web:report_accept", args=[ref]), {"note": ""})
        page = client.get(reverse("web:review", args=[ref])).content.decode()
        assert 'id="payment-preview"' in page

        # The payment goes through a batch: one budget manager prepares it, another person
        # approves it, finance reports it paid (payments.tests has the details).
        from csgrants.payments import services as payments

        account = payments.bank_account_propose(
            actor=budget_manager,
            provider=app.provider,
            holder="Provider One BV",
            iban="BE68 5390 0754 7034",
            bic="GKCCBEBB",
            street="Kouter",
            building_number="1",
            postal_code="9000",
            town="Gent",
        )
        payments.bank_account_decide(actor=admin_user, account=account, approve=True)
        client.force_login(budget_manager)
        client.post(reverse("payments:prepare"))
        batch = app.payment_lines.get().batch
        client.force_login(admin_user)
        client.post(reverse("payments:approve", args=[batch.pk]))
        app.refresh_from_db()
        assert app.status == Status.COMPLETED  # approved, not yet paid
        answer = io.BytesIO(f"reference,status,message,paid_on\n{ref},paid,,2023-03-01\n".encode())
        answer.name = "answer.csv"
        client.post(reverse("payments:answer", args=[batch.pk]), {"file": answer})
    app.refresh_from_db()
    assert app.status == Status.CLOSED
    assert app.payment.amount_eur == Decimal("10000.00")  # 50% of 20,000 (approved 28,000)
    client.force_login(provider_user)
    page = client.get(reverse("web:application", args=[ref])).content.decode()
    assert "€ 10.000,00" in page


def test_after_screens_refuse_the_wrong_role(
    client, make_application, provider_user, other_provider_user, analyst
):
    with at(DAY):
        app = make_application("in_progress")
    client.force_login(other_provider_user)
    assert client.get(reverse("web:final_report", args=[app.reference])).status_code == 404
    assert client.post(reverse("web:start", args=[app.reference])).status_code == 404
    client.force_login(analyst)
    assert client.post(reverse("payments:prepare")).status_code == 403
    client.force_login(provider_user)
    assert client.post(reverse("web:report_accept", args=[app.reference])).status_code == 403
