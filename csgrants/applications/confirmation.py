"""The enterprise confirms its declaration on honour and mandates the provider
(contracts/enterprise-confirmation.md; the minister's "verklaring op eer door de aanvragende
ondernemingen").

A provider's submission stops at `awaiting_confirmation` and mails the signatory a personal link
`/bevestiging/<token>/`. Reading it changes nothing; posting the form confirms: the file reaches
the agency (`submitted`, `submitted_on` = the confirmation date) and an append-only
`Confirmation` keeps the SHA-256 of the exact text shown. Any later change of what was declared
needs a new confirmation; until the decision the enterprise may withdraw its confirmation.

Tokens are hand-rolled on Django's signing primitives rather than django-sesame: sesame
authenticates *users*, and the signatory is not one (no account, no session to open); what we
need is a single-use, expiring capability for one file. The token is the HMAC (SECRET_KEY) of a
random nonce kept on the request row: the mail task, which reloads the row by id after commit,
can rebuild it, while the database alone (a dump, a backup) cannot. The link is looked up by the
SHA-256 of the token, so the token itself is stored nowhere. Single use and expiry are columns of
the row, checked under the file's row lock.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from csgrants.accounts.models import Role
from csgrants.applications import events
from csgrants.applications.access import ensure_can_see, role_of
from csgrants.applications.models import (
    Amendment,
    Application,
    Capacity,
    Confirmation,
    ConfirmationRequest,
    Status,
)
from csgrants.applications.workflow import ENTERPRISE
from csgrants.core import clock
from csgrants.core.audit import actor_user, audit_record
from csgrants.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from csgrants.core.money import format_eur
from csgrants.core.transactions import service_atomic

TOKEN_VALIDITY = timedelta(days=14)
_SALT = "csgrants.applications.confirmation"
CAPACITIES = tuple(c.value for c in Capacity)
LANGUAGES = ("nl", "en")


class LinkGone(DomainError):
    """The link was used, has expired or was replaced by a newer one: 410, nothing changes."""

    code = "CONFIRMATION_LINK_GONE"
    status = 410
    default_message = _("This confirmation link can no longer be used.")

    def __init__(self, reason: str, message=None):
        self.reason = reason  # used | expired | replaced | closed
        super().__init__(message)


class ResendTooSoon(DomainError):
    code = "CONFIRMATION_RESEND_TOO_SOON"
    status = 429
    default_message = _("The confirmation mail was sent moments ago; try again later.")


@dataclass(frozen=True)
class SignatoryActor:
    """The enterprise's signatory acting through its link: no user, the pseudo-role ENTERPRISE.
    The audit trail and the history name it by its e-mail."""

    email: str
    effective_role: ClassVar[str] = ENTERPRISE
    pk: ClassVar[None] = None

    @property
    def username(self) -> str:
        return f"signatory <{self.email}>"


# --- the signatory ----------------------------------------------------------------------------


def validate_signatory(signatory, *, provider) -> dict:
    """The signatory block of a filing: {name, email, capacity[, language]}. The e-mail may not
    be one of the filing provider's: a provider cannot confirm its own filing."""
    if not isinstance(signatory, dict):
        raise ValidationFailed(gettext("The signatory must be an object."), field="signatory")
    errors: list[tuple[str, str]] = []
    unknown = set(signatory) - {"name", "email", "capacity", "language"}
    errors.extend((f"signatory.{k}", gettext("Unknown field.")) for k in sorted(unknown))
    provider_refused = False
    name = signatory.get("name")
    email = signatory.get("email")
    capacity = signatory.get("capacity")
    language = signatory.get("language") or "nl"
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors.append(("signatory.name", gettext("The signatory's name is required.")))
    if not isinstance(email, str) or len(email) > 254:
        errors.append(("signatory.email", gettext("A valid e-mail address is required.")))
    else:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.append(("signatory.email", gettext("A valid e-mail address is required.")))
        else:
            if email_is_providers(email, provider):
                provider_refused = True
                errors.append(
                    (
                        "signatory.email",
                        gettext(
                            "The signatory's e-mail is one of the filing provider's: the "
                            "enterprise itself must confirm."
                        ),
                    )
                )
    if capacity not in CAPACITIES:
        errors.append(
            (
                "signatory.capacity",
                gettext("Must be one of %(choices)s.") % {"choices": ", ".join(CAPACITIES)},
            )
        )
    if language not in LANGUAGES:
        errors.append(("signatory.language", gettext("Must be nl or en.")))
    if errors:
        code = "SIGNATORY_IS_PROVIDER" if provider_refused else "VALIDATION_ERROR"
        raise ValidationFailed(errors[0][1], field=errors[0][0], errors=errors, code=code)
    assert isinstance(name, str) and isinstance(email, str)  # checked above
    return {
        "signatory_name": name.strip(),
        "signatory_email": email.strip(),
        "signatory_capacity": capacity,
        "language": language,
    }


def email_is_providers(email: str, provider) -> bool:
    from csgrants.accounts.models import User

    email = (email or "").strip()
    if provider.email and provider.email.strip().lower() == email.lower():
        return True
    return User.objects.filter(service_provider=provider, email__iexact=email).exists()


def signatory_of(application: Application) -> dict | None:
    if not application.signatory_email:
        return None
    return {
        "name": application.signatory_name,
        "email": application.signatory_email,
        "capacity": application.signatory_capacity,
        "language": application.language,
    }


def require_signatory(application: Application) -> None:
    """Submission needs a signatory, and its e-mail must still not be the provider's (a user
    may have been added since the draft was saved)."""
    signatory = signatory_of(application)
    if signatory is None:
        raise ValidationFailed(
            gettext("A signatory of the enterprise is required to submit."),
            field="signatory",
            code="SIGNATORY_REQUIRED",
        )
    validate_signatory(signatory, provider=application.provider)


# --- tokens -----------------------------------------------------------------------------------


def token_of(request: ConfirmationRequest) -> str:
    digest = salted_hmac(_SALT, request.nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_for(request: ConfirmationRequest) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("confirmation", args=[token_of(request)])


def request_for_token(token: str) -> ConfirmationRequest:
    """The request of a token, or NotFound; says nothing about files."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise NotFound(gettext("Unknown confirmation link."), code="CONFIRMATION_LINK_UNKNOWN")
    try:
        return ConfirmationRequest.objects.select_related(
            "application__provider",
            "application__enterprise",
            "application__package",
            "application__policy",
        ).get(token_sha256=token_sha256(token))
    except ConfirmationRequest.DoesNotExist:
        raise NotFound(gettext("Unknown confirmation link."), code="CONFIRMATION_LINK_UNKNOWN")


def link_state(request: ConfirmationRequest, application: Application | None = None) -> str:
    """open | used | expired | replaced | closed (the file no longer waits for this link)."""
    application = application or request.application
    if request.used_at is not None:
        return "used"
    if request.superseded_at is not None:
        return "replaced"
    if timezone.now() >= request.expires_at:
        return "expired"
    amendment = request.amendment
    if amendment is not None:
        # An amendment's link serves until the agency decides on the amendment.
        if amendment.status != Amendment.AmendmentStatus.SUBMITTED:
            return "closed"
        return "open"
    if application.status != Status.AWAITING_CONFIRMATION:
        return "closed"
    return "open"


def _issue(
    *, actor, application: Application, reconfirmation: bool, amendment: Amendment | None = None
) -> ConfirmationRequest:
    """A new link for the file, or for one amendment of it (the caller holds the file's row);
    earlier open links for the same thing stop working."""
    now = timezone.now()
    application.confirmation_requests.filter(
        used_at__isnull=True, superseded_at__isnull=True, amendment=amendment
    ).update(superseded_at=now)
    row = ConfirmationRequest(
        application=application,
        nonce=secrets.token_hex(32),
        email=application.signatory_email,
        language=application.language,
        requested_at=now,
        requested_on=clock.today(),
        expires_at=now + TOKEN_VALIDITY,
        reconfirmation=reconfirmation,
        amendment=amendment,
        requested_by=actor_user(actor),
    )
    row.token_sha256 = token_sha256(token_of(row))
    row.save()
    audit_record(
        actor=actor,
        action="confirmation.request",
        obj=application,
        after={
            "email": row.email,
            "language": row.language,
            "reconfirmation": reconfirmation,
            "amendment": amendment.pk if amendment is not None else None,
            "expires_at": row.expires_at.isoformat(),
        },
    )
    events.announce("confirmation_requested", row)
    return row


def confirmation_request_issue(
    *, actor, application: Application, reconfirmation: bool, amendment: Amendment | None = None
) -> ConfirmationRequest:
    """For the services that change what was declared (submission, an answer that changed the
    figures, an amendment proposed after approval); they hold the transaction and the row
    lock."""
    return _issue(
        actor=actor, application=application, reconfirmation=reconfirmation, amendment=amendment
    )


# --- the declaration text ---------------------------------------------------------------------

_LABELS = {
    "nl": {
        "title": "Verklaring op eer van de aanvragende onderneming",
        "enterprise": "Onderneming",
        "number": "Ondernemingsnummer",
        "kind": "Soort onderneming",
        "postal_code": "Postcode",
        "reference": "Dossier",
        "package": "Pakket",
        "extensions": "Uitbreidingspakketten",
        "none": "geen",
        "cost": "Offerteprijs",
        "subsidy": "Gevraagde subsidie",
        "rate": "subsidiepercentage",
        "sme": "KMO-gegevens (Aanbeveling 2003/361/EG)",
        "no_sme": "Geen KMO-cijfers opgegeven.",
        "period": "Boekjaar afgesloten op {year_end}: {staff} VTE, omzet {turnover}, balanstotaal "
        "{balance}",
        "relations": "Verbonden en partnerondernemingen",
        "relation": "{name} ({direction}): {capital}% kapitaal, {voting}% stemrechten{control}",
        "upstream": "houdt aandelen in de onderneming",
        "downstream": "de onderneming houdt aandelen",
        "control": ", met zeggenschap",
        "aid": "Eerder ontvangen de-minimissteun (drie jaar)",
        "aid_row": "{granted_on}: {amount} ({description})",
        "negative_equity": "Negatief eigen vermogen",
        "public": "Participatie van overheden",
        "yes": "ja",
        "no": "nee",
        "signatory": "Ondertekenaar",
        "amendment": "Voorgestelde wijziging na goedkeuring",
        "upgrade": "opwaardering naar pakket {package}",
        "extension_to": "uitbreidingspakket {package}",
        "extra_cost": "Bijkomende offerteprijs",
        "extra_subsidy": "Bijkomende subsidie",
        "mandate": "De onderneming verklaart op eer dat bovenstaande gegevens juist en volledig "
        "zijn, en geeft {provider} (dienstverlener) de opdracht om deze aanvraag in haar naam in te "
        "dienen en de subsidie te ontvangen.",
    },
    "en": {
        "title": "Declaration on honour of the applying enterprise",
        "enterprise": "Enterprise",
        "number": "Enterprise number",
        "kind": "Kind of enterprise",
        "postal_code": "Postal code",
        "reference": "File",
        "package": "Package",
        "extensions": "Extension packages",
        "none": "none",
        "cost": "Quoted cost",
        "subsidy": "Subsidy requested",
        "rate": "subsidy rate",
        "sme": "SME figures (Recommendation 2003/361/EC)",
        "no_sme": "No SME figures given.",
        "period": "Accounting year ended {year_end}: {staff} AWU, turnover {turnover}, balance "
        "sheet total {balance}",
        "relations": "Linked and partner enterprises",
        "relation": "{name} ({direction}): {capital}% of capital, {voting}% of voting "
        "rights{control}",
        "upstream": "holds shares in the enterprise",
        "downstream": "the enterprise holds shares in it",
        "control": ", with control",
        "aid": "De minimis aid received before (three years)",
        "aid_row": "{granted_on}: {amount} ({description})",
        "negative_equity": "Negative equity",
        "public": "Participation of public bodies",
        "yes": "yes",
        "no": "no",
        "signatory": "Signatory",
        "amendment": "Change proposed after approval",
        "upgrade": "upgrade to package {package}",
        "extension_to": "extension package {package}",
        "extra_cost": "Extra quoted cost",
        "extra_subsidy": "Extra subsidy",
        "mandate": "The enterprise declares on honour that the information above is correct and "
        "complete, and mandates {provider} (service provider) to file this application in its name "
        "and to receive the subsidy.",
    },
}


def _day(value) -> str:
    if not value:
        return "-"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


def _eur(value) -> str:
    from decimal import Decimal

    return format_eur(Decimal(str(value))) if value not in (None, "") else "-"


def declaration_text(
    application: Application, language: str, amendment: Amendment | None = None
) -> str:
    """The exact text the enterprise reads and confirms; its SHA-256 is what is stored. It is
    built from the file's data only (no date of today) in the file's language, whatever the
    language of the request that builds it, so the same file gives the same text. With an
    amendment, the text ends with the change the provider proposes."""
    language = language if language in LANGUAGES else "nl"
    with translation.override(language):
        text = _declaration_text(application, language)
        if amendment is not None:
            text += _amendment_text(amendment, language)
        return text


def _amendment_text(amendment: Amendment, language: str) -> str:
    t = _LABELS[language]
    change = t["upgrade" if amendment.kind == Amendment.Kind.UPGRADE else "extension_to"]
    return (
        "\n".join(
            [
                "",
                f"{t['amendment']}: {change.format(package=amendment.package.code)}",
                f"{t['extra_cost']}: {_eur(amendment.extra_cost_eur)}",
                f"{t['extra_subsidy']}: {_eur(amendment.extra_subsidy_eur)}",
            ]
        )
        + "\n"
    )


def _declaration_text(application: Application, language: str) -> str:
    t = _LABELS[language]
    package = application.package
    extensions = sorted(p.code for p in application.extensions.all())
    capacity_label = str(dict(Capacity.choices).get(application.signatory_capacity, ""))
    decl = application.declaration or {}
    lines = [
        t["title"],
        "",
        f"{t['reference']}: {application.reference}",
        f"{t['enterprise']}: {application.enterprise_name}",
        f"{t['number']}: {application.enterprise.number}",
        f"{t['kind']}: {application.enterprise_kind}",
        f"{t['postal_code']}: {application.postal_code}",
        f"{t['package']}: {package.code}",
        f"{t['extensions']}: {', '.join(extensions) or t['none']}",
        f"{t['cost']}: {_eur(application.cost_eur)}",
        f"{t['subsidy']}: {_eur(application.subsidy_eur)}"
        + (f" ({t['rate']} {application.rate_pct}%)" if application.rate_pct is not None else ""),
        "",
        t["sme"],
    ]
    sme = decl.get("sme") or {}
    periods = (sme.get("enterprise") or {}).get("periods") or []
    if not periods:
        lines.append(f"  {t['no_sme']}")
    for p in periods:
        lines.append("  " + _period(t, p))
    relations = sme.get("relations") or []
    if relations:
        lines.append(f"{t['relations']}:")
    for r in relations:
        lines.append(
            "  "
            + t["relation"].format(
                name=r.get("name", ""),
                direction=t.get(r.get("direction") or "upstream", r.get("direction")),
                capital=r.get("capital_pct", 0),
                voting=r.get("voting_pct", 0),
                control=t["control"] if r.get("control") else "",
            )
        )
        for p in r.get("periods") or []:
            lines.append("    " + _period(t, p))
    lines += ["", f"{t['aid']}:"]
    aid = decl.get("de_minimis_prior_aid") or []
    if not aid:
        lines.append(f"  {t['none']}")
    for a in aid:
        lines.append(
            "  "
            + t["aid_row"].format(
                granted_on=_day(a.get("granted_on")),
                amount=_eur(a.get("amount_eur")),
                description=a.get("description") or "-",
            )
        )
    lines += [
        f"{t['negative_equity']}: {t['yes'] if decl.get('negative_equity') else t['no']}",
        f"{t['public']}: {decl.get('public_participation_pct', 0)}%",
        "",
        f"{t['signatory']}: {application.signatory_name} ({capacity_label}), "
        f"{application.signatory_email}",
        "",
        t["mandate"].format(provider=application.provider.name),
    ]
    return "\n".join(lines) + "\n"


def _period(t: dict, p: dict) -> str:
    return t["period"].format(
        year_end=_day(p.get("year_end")),
        staff=p.get("staff_awu", "-"),
        turnover=_eur(p.get("turnover_eur")),
        balance=_eur(p.get("balance_sheet_eur")),
    )


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- reading the state ------------------------------------------------------------------------


def latest_confirmation(application: Application) -> Confirmation | None:
    """The enterprise's last word on the file itself (not on an amendment of it)."""
    return (
        application.confirmations.filter(request__amendment__isnull=True)
        .order_by("-at", "-id")
        .first()
    )


def filed_under_confirmation(application: Application) -> bool:
    """Files submitted before the confirmation existed (and imported history) have no link."""
    return application.confirmation_requests.exists()


def amendment_confirmed(amendment: Amendment) -> bool:
    """The enterprise confirmed the declaration with this amendment (contract, rule 5)."""
    return Confirmation.objects.filter(
        request__amendment=amendment, kind=Confirmation.Kind.CONFIRMED
    ).exists()


def amendment_awaits_enterprise(amendment: Amendment) -> bool:
    return (
        amendment.status == Amendment.AmendmentStatus.SUBMITTED
        and amendment.confirmation_requests.exists()
        and not amendment_confirmed(amendment)
    )


def require_amendment_confirmation(amendment: Amendment) -> None:
    """An amendment of a file the enterprise confirmed needs the enterprise's confirmation of
    the change before its approval (files filed before confirmations existed need none)."""
    if amendment.confirmation_requests.exists() and not amendment_confirmed(amendment):
        raise TransitionNotAllowed(
            gettext("The enterprise has not confirmed this amendment yet."),
            code="CONFIRMATION_REQUIRED",
        )


def confirmation_is_current(application: Application) -> bool:
    """The last word of the enterprise is a confirmation of exactly what the file declares
    now. The agency decides only on such a file (or on one filed before confirmations)."""
    if not filed_under_confirmation(application):
        return True
    latest = latest_confirmation(application)
    if latest is None or latest.kind != Confirmation.Kind.CONFIRMED:
        return False
    return sha256_of(declaration_text(application, latest.language)) == latest.declaration_sha256


def require_current_confirmation(application: Application) -> None:
    if not confirmation_is_current(application):
        raise TransitionNotAllowed(
            gettext("The enterprise has not confirmed what this file declares now."),
            code="CONFIRMATION_REQUIRED",
        )


def paused_for_reconfirmation(application: Application) -> list[tuple[date, date]]:
    """The decision clock stands still while a changed file waits for the enterprise again."""
    return [
        (r.requested_on, timezone.localdate(r.used_at))
        for r in application.confirmation_requests.all()
        if r.reconfirmation and r.used_at is not None
    ]


# --- the enterprise's actions through its link -------------------------------------------------


def _check_confirm_input(name, capacity, agree) -> None:
    errors = []
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors.append(("name", gettext("Type your name.")))
    if capacity not in CAPACITIES:
        errors.append(
            (
                "capacity",
                gettext("Must be one of %(choices)s.") % {"choices": ", ".join(CAPACITIES)},
            )
        )
    if agree is not True:
        errors.append(("agree", gettext("Tick the box to confirm the declaration.")))
    if errors:
        raise ValidationFailed(errors[0][1], field=errors[0][0], errors=errors)


@service_atomic
def confirmation_confirm(
    *,
    token: str,
    name: str,
    capacity: str,
    agree: bool,
    shown_sha256: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> Confirmation:
    """The enterprise confirms: the file reaches the agency. `shown_sha256` is the hash of the
    text the page showed; if the file changed since, nothing is confirmed."""
    from csgrants.applications import services

    request = request_for_token(token)
    application = services.application_lock(request.application)
    request = ConfirmationRequest.objects.select_for_update().get(pk=request.pk)
    state = link_state(request, application)
    if state != "open":
        raise LinkGone(state)
    _check_confirm_input(name, capacity, agree)
    actor = SignatoryActor(email=request.email)
    today = clock.today()
    amendment = request.amendment
    if amendment is None:
        # What the page showed was priced as of today, as the file will be on confirmation.
        services.application_price_for_review(application, today)
    text = declaration_text(application, request.language, amendment)
    digest = sha256_of(text)
    if shown_sha256 and shown_sha256 != digest:
        raise Conflict(
            gettext("The declaration changed since it was shown; read it again."),
            code="DECLARATION_CHANGED",
        )
    now = timezone.now()
    request.used_at = now
    request.save(update_fields=["used_at"])
    confirmation = Confirmation.objects.create(
        application=application,
        request=request,
        kind=Confirmation.Kind.CONFIRMED,
        declaration_sha256=digest,
        declaration_text=text,
        language=request.language,
        name=name.strip(),
        capacity=capacity,
        email=request.email,
        at=now,
        on=today,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:1000],
    )
    audit_record(
        actor=actor,
        action="confirmation.confirm",
        obj=application,
        after={**_audit_of(confirmation), "amendment": request.amendment_id},
    )
    if amendment is None:
        services.application_enter_review(actor=actor, application=application, on=today)
    return confirmation


def _audit_of(c: Confirmation) -> dict:
    return {
        "kind": c.kind,
        "declaration_sha256": c.declaration_sha256,
        "name": c.name,
        "capacity": c.capacity,
        "email": c.email,
        "at": c.at.isoformat(),
        "ip_address": c.ip_address,
        "user_agent": c.user_agent,
    }


def withdrawable(request: ConfirmationRequest, application: Application) -> bool:
    """The enterprise may withdraw the confirmation it gave through this link until the
    decision."""
    if request.amendment_id is not None:
        return False  # an amendment the enterprise no longer wants is rejected by the agency
    if request.used_at is None or application.status not in (
        Status.SUBMITTED,
        Status.INFO_REQUESTED,
    ):
        return False
    latest = latest_confirmation(application)
    return (
        latest is not None
        and latest.request_id == request.pk
        and latest.kind == Confirmation.Kind.CONFIRMED
    )


@service_atomic
def confirmation_withdraw(
    *, token: str, ip_address: str | None = None, user_agent: str = ""
) -> Confirmation:
    """The enterprise withdraws its confirmation before the decision: the file goes back to the
    provider as a draft, and the agency cannot decide on it."""
    from csgrants.applications import services

    request = request_for_token(token)
    application = services.application_lock(request.application)
    if not withdrawable(request, application):
        raise LinkGone(
            "closed", gettext("There is no confirmation to withdraw on this file any more.")
        )
    latest = latest_confirmation(application)
    assert latest is not None  # withdrawable() holds it
    actor = SignatoryActor(email=request.email)
    now = timezone.now()
    withdrawal = Confirmation.objects.create(
        application=application,
        request=request,
        kind=Confirmation.Kind.WITHDRAWN,
        declaration_sha256=latest.declaration_sha256,
        declaration_text=latest.declaration_text,
        language=latest.language,
        name=latest.name,
        capacity=latest.capacity,
        email=request.email,
        at=now,
        on=clock.today(),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:1000],
    )
    audit_record(
        actor=actor, action="confirmation.withdraw", obj=application, after=_audit_of(withdrawal)
    )
    services.application_back_to_draft(
        actor=actor,
        application=application,
        note="de onderneming trok haar bevestiging in",  # history notes are Dutch data
    )
    return withdrawal


# --- the provider's actions -------------------------------------------------------------------


def _provider_file(actor, application: Application) -> Application:
    from csgrants.applications import services

    application = services.application_lock(application)
    ensure_can_see(actor, application)
    if role_of(actor) != Role.PROVIDER:
        raise PermissionDenied(
            gettext("Only the service provider acts on its file's confirmation.")
        )
    return application


@service_atomic
def confirmation_resend(*, actor, application: Application) -> ConfirmationRequest:
    """A new link to the signatory (the earlier one stops working); at most one per
    CSGRANTS_CONFIRMATION_RESEND_MINUTES per file."""
    application = _provider_file(actor, application)
    amendment = None
    if application.status != Status.AWAITING_CONFIRMATION:
        amendment = next(
            (
                a
                for a in application.amendments.filter(
                    status=Amendment.AmendmentStatus.SUBMITTED
                ).order_by("pk")
                if amendment_awaits_enterprise(a)
            ),
            None,
        )
        if amendment is None:
            raise TransitionNotAllowed(gettext("The file does not wait for the enterprise."))
    last = application.confirmation_requests.order_by("-requested_at", "-id").first()
    interval = timedelta(minutes=settings.CSGRANTS_CONFIRMATION_RESEND_MINUTES)
    if last is not None and timezone.now() - last.requested_at < interval:
        raise ResendTooSoon()
    return _issue(
        actor=actor,
        application=application,
        reconfirmation=bool(last and last.reconfirmation) or amendment is not None,
        amendment=amendment,
    )


@service_atomic
def confirmation_recall(*, actor, application: Application) -> Application:
    """The provider takes a file that waits for the enterprise back as a draft (to correct the
    signatory's address, say); the link stops working."""
    from csgrants.applications import services

    application = _provider_file(actor, application)
    return services.application_back_to_draft(
        actor=actor, application=application, note="teruggenomen door de dienstverlener"
    )


# --- what the screens and the API show ---------------------------------------------------------

# Addresses anyone can have: the same domain there says nothing about who is behind it.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "telenet.be",
        "skynet.be",
        "proximus.be",
        "scarlet.be",
        "msn.com",
    }
)


def mail_domain(email: str) -> str:
    return (email or "").rsplit("@", 1)[-1].strip().lower()


@dataclass(frozen=True)
class RiskFlag:
    code: str
    message_nl: str
    message_en: str


def risk_flags(application: Application) -> list[RiskFlag]:
    """Signs for staff that the provider may speak for the enterprise itself (issue 22)."""
    return risk_flags_for([application]).get(application.pk, [])


def risk_flags_for(applications) -> dict[int, list[RiskFlag]]:
    """The risk flags of several files (a page of the queue) in three queries: the signatory's
    mail domain is the provider's; the signatory confirmed for other enterprises too; the KBO
    register's contact e-mail (when loaded) has another domain than the signatory's."""
    from csgrants.accounts.models import User
    from csgrants.enterprises.selectors import kbo_contact_emails_of

    apps = [a for a in applications if a.signatory_email]
    if not apps:
        return {}
    provider_domains: dict[int, set[str]] = {}
    for provider_id, email in (
        User.objects.filter(service_provider_id__in={a.provider_id for a in apps})
        .exclude(email="")
        .values_list("service_provider_id", "email")
    ):
        provider_domains.setdefault(provider_id, set()).add(mail_domain(email))
    for a in apps:
        if a.provider.email:
            provider_domains.setdefault(a.provider_id, set()).add(mail_domain(a.provider.email))
    emails = {a.signatory_email.lower() for a in apps}
    confirmed_for: dict[str, set[int]] = {}
    query = models.Q()
    for email in emails:
        query |= models.Q(email__iexact=email)
    for email, enterprise_id in (
        Confirmation.objects.filter(query, kind=Confirmation.Kind.CONFIRMED)
        .values_list("email", "application__enterprise_id")
        .distinct()
    ):
        confirmed_for.setdefault(email.lower(), set()).add(enterprise_id)
    kbo = kbo_contact_emails_of([a.enterprise.number for a in apps])
    out: dict[int, list[RiskFlag]] = {}
    for a in apps:
        domain = mail_domain(a.signatory_email)
        flags = []
        if domain in provider_domains.get(a.provider_id, set()) and (
            domain not in PUBLIC_MAIL_DOMAINS
        ):
            flags.append(
                RiskFlag(
                    "SIGNATORY_PROVIDER_DOMAIN",
                    f"Het e-maildomein van de ondertekenaar ({domain}) is dat van de "
                    "dienstverlener.",
                    f"The signatory's mail domain ({domain}) is the service provider's.",
                )
            )
        others = len(confirmed_for.get(a.signatory_email.lower(), set()) - {a.enterprise_id})
        if others:
            flags.append(
                RiskFlag(
                    "SIGNATORY_SEVERAL_ENTERPRISES",
                    f"Deze ondertekenaar bevestigde ook voor {others} andere onderneming(en).",
                    f"This signatory also confirmed for {others} other enterprise(s).",
                )
            )
        contacts = kbo.get(a.enterprise.number, [])
        if contacts and domain not in {mail_domain(e) for e in contacts}:
            flags.append(
                RiskFlag(
                    "KBO_CONTACT_DOMAIN_DIFFERS",
                    f"Het KBO-contactadres ({', '.join(contacts)}) heeft een ander domein dan "
                    "de ondertekenaar.",
                    f"The KBO contact address ({', '.join(contacts)}) has another domain than "
                    "the signatory's.",
                )
            )
        if flags:
            out[a.pk] = flags
    return out


def confirmation_summary(application: Application, *, with_current: bool = True) -> dict:
    """The enterprise's confirmation as the file pages and the API show it. Reads the file's
    requests and confirmations through `.all()`, so a list that prefetched them costs nothing
    more per file."""
    requests = sorted(application.confirmation_requests.all(), key=lambda r: (r.requested_at, r.pk))
    records = sorted(application.confirmations.all(), key=lambda c: (c.at, c.pk))
    latest_request = requests[-1] if requests else None
    latest = records[-1] if records else None
    state = "not_requested"
    if application.status == Status.AWAITING_CONFIRMATION:
        state = "awaiting"
    elif latest is not None:
        state = "confirmed" if latest.kind == Confirmation.Kind.CONFIRMED else "withdrawn"
    first_sent = requests[0].requested_at if requests else None
    first_confirmed = next((c.at for c in records if c.kind == Confirmation.Kind.CONFIRMED), None)
    return {
        "state": state,
        "signatory": signatory_of(application),
        "link_sent_at": latest_request.requested_at if latest_request else None,
        "link_expires_at": latest_request.expires_at if latest_request else None,
        "link_state": link_state(latest_request, application) if latest_request else None,
        "waited_days": (
            (first_confirmed - first_sent).days if first_sent and first_confirmed else None
        ),
        "records": records,
        "latest": latest,
        "current": confirmation_is_current(application) if with_current and requests else None,
    }
