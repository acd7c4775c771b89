"""The e-mails of each event: who gets them, in which language, what they say, and that nothing
leaves before the transaction commits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from conftest import DEFAULT_SIGNATORY, confirm_amendment, make_user
from csgrants.accounts.models import Role
from csgrants.applications import amendments, services, trajectory
from csgrants.applications.tests.after_helpers import at, drain, report_data
from csgrants.notifications.models import SentMail

DAY = dt.date(2023, 3, 1)


@pytest.fixture
def recipients(provider, provider_user):
    """A Dutch and an English provider user, and the provider's own address."""
    provider_user.email, provider_user.language = "an@provider.example", "nl"
    provider_user.save()
    english = make_user("prov-en", Role.PROVIDER, provider)
    english.email, english.language = "bob@provider.example", "en"
    english.save()
    inactive = make_user("prov-gone", Role.PROVIDER, provider)
    inactive.email, inactive.is_active = "gone@provider.example", False
    inactive.save()
    provider.email = "info@provider.example"
    provider.save()
    return {
        "nl": "an@provider.example",
        "en": "bob@provider.example",
        "provider": "info@provider.example",
    }


def by_recipient():
    return {m.to[0]: m for m in mail.outbox}


def test_receipt_of_submission_goes_to_every_provider_address_in_its_language(
    make_application, funded, recipients, django_capture_on_commit_callbacks
):
    with at(dt.date(2025, 4, 7)), django_capture_on_commit_callbacks(execute=True):
        app = make_application("submitted")
    sent = by_recipient()
    # The signatory got its confirmation link; the receipt, once it confirmed, goes to the
    # provider's people.
    assert sent.pop(DEFAULT_SIGNATORY["email"]).subject.startswith("Bevestig uw aanvraag")
    assert set(sent) == {recipients["nl"], recipients["en"], recipients["provider"]}
    nl, en = sent[recipients["nl"]], sent[recipients["en"]]
    assert nl.subject == f"Ontvangstbevestiging aanvraag {app.reference}"
    assert en.subject == f"Receipt of application {app.reference}"
    # Due date: 10 working days after Monday 7 April 2025, Easter Monday (21 April) not counted.
    assert "uiterlijk op 22/04/2025" in nl.body and "by 22/04/2025" in en.body
    assert "€ 12.000,00" in nl.body and "MEDIUM-pakket" in nl.body and "MEDIUM package" in en.body
    assert sent[recipients["provider"]].subject.startswith(
        "Ontvangstbevestiging"
    )  # provider address: Dutch
    assert SentMail.objects.filter(event="submitted", application=app).count() == 3


def test_information_request_mail_quotes_the_question(
    make_application, funded, recipients, django_capture_on_commit_callbacks
):
    with at(DAY):
        app = make_application("submitted")
        with django_capture_on_commit_callbacks(execute=True):
            services.info_request(
                actor=make_user("r9", Role.REVIEWER),
                application=app,
                question="Bezorg de jaarrekening 2022.",
            )
    sent = by_recipient()
    assert sent[recipients["nl"]].subject == f"Vraag om bijkomende informatie: {app.reference}"
    assert sent[recipients["en"]].subject == f"Request for information: {app.reference}"
    assert "Bezorg de jaarrekening 2022." in sent[recipients["en"]].body


def test_rejection_mail_carries_the_letter_text_of_each_reason(
    make_application, funded, recipients, reviewer, django_capture_on_commit_callbacks
):
    with at(DAY):
        app = make_application("submitted")
        with django_capture_on_commit_callbacks(execute=True):
            services.decision_record(
                actor=reviewer,
                application=app,
                outcome="rejected",
                reasons=["NOT_SME", "DE_MINIMIS_CEILING"],
                note="Zie verslag.",
            )
    sent = by_recipient()
    nl, en = sent[recipients["nl"]], sent[recipients["en"]]
    assert nl.subject == f"Weigering aanvraag {app.reference}"
    assert en.subject == f"Rejection of application {app.reference}"
    assert "voldoet niet aan de Europese kmo-definitie (Aanbeveling 2003/361/EG)" in nl.body
    assert "de steun kan ook niet gedeeltelijk worden toegekend" in nl.body
    assert "does not meet the EU SME definition (Recommendation 2003/361/EC)" in en.body
    assert "it cannot be granted in part either" in en.body
    assert "kmo-definitie" not in en.body
    assert "Toelichting: Zie verslag." in nl.body


def test_approval_mail_gives_the_subsidy(
    make_application, funded, recipients, django_capture_on_commit_callbacks
):
    with at(DAY), django_capture_on_commit_callbacks(execute=True):
        app = make_application("approved")
    approvals = [m for m in mail.outbox if m.subject.startswith(("Goedkeuring", "Approval"))]
    # The provider's people, and the enterprise's signatory (issue 22), in the file's language.
    assert {m.to[0] for m in approvals} == set(recipients.values()) | {DEFAULT_SIGNATORY["email"]}
    signatory = next(m for m in approvals if m.to[0] == DEFAULT_SIGNATORY["email"])
    assert signatory.subject.startswith("Goedkeuring")
    en = next(m for m in approvals if m.to[0] == recipients["en"])
    assert en.subject == f"Approval of application {app.reference}"
    assert "Subsidy (50%): €12,000.00" in en.body


def test_amendment_decision_mail(
    make_application,
    funded,
    recipients,
    provider_user,
    reviewer,
    django_capture_on_commit_callbacks,
):
    with at(DAY):
        app = make_application("in_progress")
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=app,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="6000",
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            amendments.amendment_decide(
                actor=reviewer,
                amendment=amendment,
                outcome="rejected",
                reasons=["COST_OUT_OF_RANGE"],
            )
    sent = by_recipient()
    assert sent[recipients["nl"]].subject == f"Weigering upgrade {app.reference}"
    assert sent[recipients["en"]].subject == f"Rejection of the upgrade of {app.reference}"
    assert (
        "upgrade to PLUS package (formerly basis), extra cost €6,000.00, extra subsidy €3,000.00"
        in sent[recipients["en"]].body
    )
    assert "buiten het bereik dat het beleid toelaat" in sent[recipients["nl"]].body


def test_final_report_accepted_and_payment_mails(
    make_application,
    funded,
    recipients,
    provider_user,
    reviewer,
    django_capture_on_commit_callbacks,
):
    with at(DAY):
        app = make_application("in_progress")
        trajectory.final_report_submit(
            actor=provider_user, application=app, **report_data(actual_cost_eur="20000")
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            trajectory.final_report_accept(actor=reviewer, application=app, note="Mooi werk.")
        accepted = by_recipient()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            trajectory.payment_record(actor=reviewer, application=app)
        paid = by_recipient()
    assert accepted[recipients["nl"]].subject == f"Eindverslag aanvaard: {app.reference}"
    assert accepted[recipients["en"]].subject == f"Final report accepted: {app.reference}"
    assert "Werkelijke kostprijs: € 20.000,00" in accepted[recipients["nl"]].body
    assert "Toelichting: Mooi werk." in accepted[recipients["nl"]].body
    assert paid[recipients["nl"]].subject == f"Betaling {app.reference}: € 10.000,00"
    assert paid[recipients["en"]].subject == f"Payment {app.reference}: €10,000.00"
    assert (
        "50% of the lower of the actual cost (€20,000.00) and the approved cost (€24,000.00)"
        in paid[recipients["en"]].body
    )


def test_send_back_mail_carries_the_note(
    make_application,
    funded,
    recipients,
    provider_user,
    reviewer,
    django_capture_on_commit_callbacks,
):
    with at(DAY):
        app = make_application("in_progress")
        trajectory.final_report_submit(actor=provider_user, application=app, **report_data())
        with django_capture_on_commit_callbacks(execute=True):
            trajectory.final_report_send_back(
                actor=reviewer, application=app, note="Facturen ontbreken."
            )
    sent = by_recipient()
    assert sent[recipients["en"]].subject == f"Final report sent back: {app.reference}"
    assert "Facturen ontbreken." in sent[recipients["nl"]].body


def test_mail_waits_for_the_commit(
    make_application, funded, recipients, django_capture_on_commit_callbacks
):
    with at(DAY):
        app = make_application("draft")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.application_submit(actor=app.created_by, application=app)
            # Inside the transaction: queued, nothing sent.
            assert mail.outbox == []
        assert mail.outbox == [] and len(callbacks) == 1
        callbacks[0]()
    # The submission's one mail: the enterprise's link to its signatory.
    assert [m.to for m in mail.outbox] == [[DEFAULT_SIGNATORY["email"]]]


def test_no_mail_when_the_transaction_rolls_back(
    make_application, recipients, django_capture_on_commit_callbacks
):
    """A step inside a transaction that rolls back leaves nothing queued: Django drops the
    on_commit callbacks of a rolled-back block, so the task is never enqueued."""

    class Abort(Exception):
        pass

    with at(DAY):
        app = make_application("draft")
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(Abort),
            transaction.atomic(),
        ):
            services.application_submit(actor=app.created_by, application=app)
            assert mail.outbox == []
            raise Abort
        assert callbacks == [] and mail.outbox == []
        app.refresh_from_db()
        assert app.status == "draft"
        # The same step committed does send.
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.application_submit(actor=app.created_by, application=app)
    assert len(callbacks) == 1 and [m.to for m in mail.outbox] == [[DEFAULT_SIGNATORY["email"]]]


def test_no_mail_when_the_budget_refuses_an_amendment(
    make_application,
    provider,
    admin_user,
    provider_user,
    reviewer,
    recipients,
    django_capture_on_commit_callbacks,
):
    from csgrants.core.errors import BudgetExhausted

    with at(DAY):
        app = make_application("approved")
        drain(provider, admin_user, leave="500.00", holder=make_application("draft"))
        amendment = amendments.amendment_request(
            actor=provider_user,
            application=app,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="6000",
        )
        mail.outbox.clear()
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(BudgetExhausted),
        ):
            confirm_amendment(amendment)
            amendments.amendment_decide(actor=reviewer, amendment=amendment, outcome="approved")
    assert callbacks == [] and mail.outbox == []


def test_task_reloads_by_id_and_a_missing_user_address_is_skipped(
    make_application, funded, provider_user
):
    from csgrants.notifications.tasks import send_notification

    with at(DAY):
        app = make_application("submitted")
    assert provider_user.email == ""  # nobody to write to
    result = send_notification.enqueue("submitted", app.pk)
    assert result.status == "SUCCESSFUL" and result.return_value == 0
    provider_user.email = "x@provider.example"
    provider_user.save()
    assert send_notification.enqueue("submitted", app.pk).return_value == 1
