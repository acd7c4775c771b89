"""Rendering a decision letter: an HTML template per decision kind (templates/documents/letters/),
laid out by WeasyPrint as PDF/A-2a: tagged, with the document language (`nl-BE` or `en`), a
title and the PDF/A identification in its XMP metadata.

The same letter renders to the same bytes on every machine and every run: the only font is the
one shipped in `fonts/` (no system font is named), the metadata dates are the job's own request
time and the PDF's file identifier is derived from the job, not drawn at random.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from csgrants.documents.models import AUTHORITY, LetterJob, LetterKind

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
STYLESHEET = HERE / "letter.css"  # its url()s are relative to this directory
PDF_VARIANT = "pdf/a-2a"
# The document language as BCP 47, per interface language.
DOCUMENT_LANGUAGE = {"nl": "nl-BE", "en": "en"}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    sha256: str
    title: str


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _reasons(decision, lang: str) -> list[dict]:
    """Each reason's label, letter text and legal ground from the catalogue, in `lang`."""
    if decision is None:
        return []
    english = lang == "en"
    return [
        {
            "code": r.code,
            "label": (r.label_en if english else r.label_nl) or r.label_nl,
            "letter": (r.letter_en if english else r.letter_nl) or r.letter_nl,
            "legal_ground": (r.legal_ground_en if english else r.legal_ground_nl)
            or r.legal_ground_nl,
        }
        for r in decision.reasons.all().order_by("code")
    ]


def _title(job: LetterJob) -> str:
    titles = {
        LetterKind.APPROVAL: _("Decision: subsidy granted"),
        LetterKind.REJECTION: _("Decision: application rejected"),
        LetterKind.STOP: _("Decision: trajectory stopped"),
        LetterKind.AMENDMENT: _("Decision on an amendment"),
        LetterKind.PAYMENT: _("Payment decision"),
    }
    title = f"{titles[job.kind]} {job.application.reference}"
    if job.replaces_id:
        title = _("%(title)s (correction)") % {"title": title}
    return title


def _context(job: LetterJob, lang: str) -> dict:
    from csgrants.applications.amendments import approved_cost, committed_subsidy

    application = job.application
    decision = job.decision
    payment = job.payment
    decided_on = payment.paid_on if payment else decision.decided_on
    return {
        "job": job,
        "application": application,
        # The enterprise as the file was filed (issue 20), not the shared record of today.
        "enterprise": {
            "name": application.enterprise_name,
            "number": application.enterprise.number,
        },
        "provider": application.provider,
        "decision": decision,
        "amendment": decision.amendment if decision else None,
        "payment": payment,
        "decided_on": decided_on,
        "reasons": _reasons(decision, lang),
        "approved_cost": approved_cost(application),
        "committed_subsidy": committed_subsidy(application),
        "authority": AUTHORITY,
        "replaces": job.replaces,
        "created": timezone.localtime(job.requested_at).replace(microsecond=0).isoformat(),
        "lang": DOCUMENT_LANGUAGE[lang],
    }


def render_letter(job: LetterJob, lang: str) -> Rendered:
    """The letter of `job` in `lang` as PDF/A-2a bytes. Pure for a given job: no clock, no
    randomness."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override(lang):
        title = _title(job)
        html = render_to_string(
            f"documents/letters/{job.kind}.html", {**_context(job, lang), "title": title}
        )
    identifier = f"csgrants-letter-{job.pk}-{lang}".encode()
    # @font-face rules are honoured only through a FontConfiguration given to both.
    fonts = FontConfiguration()
    content = HTML(string=html, base_url=str(HERE)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET), font_config=fonts)],
        font_config=fonts,
        pdf_variant=PDF_VARIANT,
        pdf_identifier=identifier,
    )
    return Rendered(content=content, sha256=sha256_of(content), title=title)
