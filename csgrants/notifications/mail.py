"""Build and send the e-mails of each event, one per recipient, in the recipient's language.

Each event has a Dutch and an English template pair under templates/notifications/:
`<event>_subject_<lang>.txt` and `<event>_body_<lang>.txt`. Rendering runs under the recipient's
language so that package names, reason labels and letter texts follow it too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from csgrants.core import clock
from csgrants.notifications.models import SentMail

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def provider_recipients(provider) -> list[Recipient]:
    """The provider's active users with an address, and the provider's own address if set (in
    Dutch, the agency's default language)."""
    from csgrants.accounts.models import Role, User

    seen: dict[str, Recipient] = {}
    users = User.objects.filter(
        service_provider=provider, role=Role.PROVIDER, is_active=True
    ).exclude(email="")
    for user in users.order_by("id"):
        seen.setdefault(user.email.lower(), Recipient(user.email, language_of(user.language)))
    if provider.email:
        seen.setdefault(
            provider.email.lower(), Recipient(provider.email, settings.LANGUAGE_CODE[:2])
        )
    return list(seen.values())


def letter_languages(provider) -> list[str]:
    """The languages of a decision letter: Dutch, the agency's language, always; English too when
    a recipient of the decision mail reads English, so each gets the letter of its mail."""
    languages = ["nl"]
    if any(r.language == "en" for r in provider_recipients(provider)):
        languages.append("en")
    return languages


def language_of(code: str | None) -> str:
    code = (code or settings.LANGUAGE_CODE)[:2]
    return code if code in LANGUAGES else "nl"


def _reasons(decision, lang: str) -> list[dict]:
    return [
        {
            "code": r.code,
            "label": (r.label_en if lang == "en" else r.label_nl) or r.label_nl,
            "letter": (r.letter_en if lang == "en" else r.letter_nl) or r.letter_nl,
        }
        for r in decision.reasons.all().order_by("code")
    ]


def render(event: str, lang: str, context: dict) -> tuple[str, str]:
    with translation.override(lang):
        subject = render_to_string(f"notifications/{event}_subject_{lang}.txt", context)
        body = render_to_string(f"notifications/{event}_body_{lang}.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def send(
    event: str,
    recipients: list[Recipient],
    context_for: Callable[[str], dict],
    application=None,
    sent_on=None,
) -> int:
    """Render and send one message per recipient; log each in SentMail (`sent_on`: the day the
    reminders ran for, default today). Returns the count."""
    if not recipients:
        return 0
    sent = 0
    with get_connection() as connection:
        for r in recipients:
            subject, body = render(event, r.language, context_for(r.language))
            EmailMessage(subject=subject, body=body, to=[r.email], connection=connection).send()
            SentMail.objects.create(
                event=event,
                application=application,
                recipient=r.email,
                language=r.language,
                subject=subject[:250],
                sent_on=sent_on or clock.today(),
            )
            sent += 1
    return sent


# --- events: reload by id, build the context --------------------------------------------------


def _load(event: str, object_id: int):
    """(application, context_for(lang)) for an event and the id of its object."""
    from csgrants.applications.models import (
        Application,
        ConfirmationRequest,
        Decision,
        FinalReport,
        InfoRequest,
        Payment,
    )
    from csgrants.documents.selectors import letter_for_mail

    if event == "submitted":
        app = Application.objects.select_related("provider", "enterprise", "package").get(
            pk=object_id
        )
        return app, lambda lang: {"application": app}
    if event == "confirmation_requested":
        from csgrants.applications.confirmation import TOKEN_VALIDITY, link_for

        row = ConfirmationRequest.objects.select_related(
            "application__provider",
            "application__enterprise",
            "application__package",
            "amendment__package",
        ).get(pk=object_id)
        return row.application, lambda lang: {
            "application": row.application,
            "request": row,
            "link": link_for(row),
            "valid_days": TOKEN_VALIDITY.days,
            "expires_on": row.expires_at,
        }
    if event == "info_requested":
        req = InfoRequest.objects.select_related(
            "application__provider", "application__enterprise"
        ).get(pk=object_id)
        return req.application, lambda lang: {"application": req.application, "request": req}
    if event in ("decision", "amendment_decided"):
        decision = Decision.objects.select_related(
            "application__provider", "application__enterprise", "amendment__package"
        ).get(pk=object_id)
        return decision.application, lambda lang: {
            "application": decision.application,
            "decision": decision,
            "amendment": decision.amendment,
            "reasons": _reasons(decision, lang),
            "letter": letter_for_mail(decision=decision, language=lang),
        }
    if event in ("final_report_accepted", "final_report_sent_back"):
        report = FinalReport.objects.select_related(
            "application__provider", "application__enterprise"
        ).get(pk=object_id)
        return report.application, lambda lang: {
            "application": report.application,
            "report": report,
        }
    if event == "payment":
        payment = Payment.objects.select_related(
            "application__provider", "application__enterprise"
        ).get(pk=object_id)
        return payment.application, lambda lang: {
            "application": payment.application,
            "payment": payment,
            "letter": letter_for_mail(payment=payment, language=lang),
        }
    if event == "bank_account_changed":
        from csgrants.payments.models import BankAccount

        account = BankAccount.objects.select_related("provider").get(pk=object_id)
        return None, lambda lang: {"account": account, "provider": account.provider}
    if event == "final_report_late":
        from csgrants.applications.trajectory import final_report_due_on, trajectory_started_on

        app = Application.objects.select_related("provider", "enterprise", "policy").get(
            pk=object_id
        )
        due, started = final_report_due_on(app), trajectory_started_on(app)
        return app, lambda lang: {"application": app, "due_on": due, "started_on": started}
    raise ValueError(f"unknown notification event {event!r}")


EVENTS = (
    "confirmation_requested",
    "submitted",
    "info_requested",
    "decision",
    "amendment_decided",
    "final_report_accepted",
    "final_report_sent_back",
    "payment",
    "final_report_late",
    "bank_account_changed",
)


def signatory_recipient(application) -> Recipient | None:
    if not application.signatory_email:
        return None
    return Recipient(application.signatory_email, language_of(application.language))


def recipients_of(event: str, application) -> list[Recipient]:
    """The provider's people, and the enterprise's signatory for the decision (contracts/enterprise-confirmation.md, 1 and 7)."""
    signatory = signatory_recipient(application)
    recipients = provider_recipients(application.provider)
    if (
        event in ("decision", "amendment_decided")
        and signatory is not None
        and signatory.email.lower() not in {r.email.lower() for r in recipients}
    ):
        recipients.append(signatory)
    return recipients


def notify(event: str, object_id: int, sent_on=None) -> int:
    application, context_for = _load(event, object_id)
    if event == "confirmation_requested":
        # The link is the request's own, in the language of the file when it was sent.
        row_language = context_for("nl")["request"].language
        return send(
            event,
            [Recipient(context_for("nl")["request"].email, language_of(row_language))],
            context_for,
            application=application,
            sent_on=sent_on,
        )
    provider = application.provider if application is not None else context_for("nl")["provider"]
    return send(
        event,
        recipients_of(event, application)
        if application is not None
        else provider_recipients(provider),
        context_for,
        application=application,
        sent_on=sent_on,
    )
