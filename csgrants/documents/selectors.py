"""Reads of the letters: who may see which, and the letter a mail names."""

from __future__ import annotations

from django.db.models import QuerySet

from csgrants.accounts.models import Role
from csgrants.applications.access import can_see
from csgrants.core.permissions import STAFF
from csgrants.documents.models import Letter, LetterJob

# The columns a list shows; the bytes are read only by the download.
LIST_FIELDS = (
    "id",
    "application_id",
    "kind",
    "letter_kind",
    "language",
    "title",
    "sha256",
    "size",
    "replaces_id",
    "created_at",
)


def may_read_letters(user, application) -> bool:
    """The provider of the file and agency staff read its letters (the file's visibility rule,
    applications.access); nobody else."""
    if user is None or not user.is_authenticated:
        return False
    return user.effective_role in (Role.PROVIDER, *STAFF) and can_see(user, application)


def letters_of(application) -> QuerySet[Letter]:
    return (
        Letter.objects.filter(application=application)
        .only(*LIST_FIELDS)
        .order_by("created_at", "language", "id")
    )


def letter_with_content(application, letter_id) -> Letter | None:
    return Letter.objects.filter(application=application, pk=letter_id).first()


def letter_for_mail(*, decision=None, payment=None, language: str) -> Letter | None:
    """The letter the decision mail names: the first one stored for the decision (or payment)
    in the recipient's language, else in Dutch."""
    qs = Letter.objects.only(*LIST_FIELDS).filter(replaces__isnull=True)
    qs = (
        qs.filter(job__payment=payment)
        if payment is not None
        else qs.filter(job__decision=decision)
    )
    by_language = {letter.language: letter for letter in qs.order_by("-created_at")}
    return by_language.get(language) or by_language.get("nl")


def letter_jobs_open() -> QuerySet[LetterJob]:
    """Renderings staff should see: waiting (a retry pending) or failed, oldest first."""
    return (
        LetterJob.objects.exclude(status=LetterJob.JobStatus.DONE)
        .select_related("application")
        .order_by("requested_at", "id")
    )
