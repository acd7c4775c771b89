"""Documents that leave the agency: the decision letters.

A letter is a legal act's written form and is archived unchanged: its bytes and their SHA-256
are written once. `Letter.save()` refuses to update a stored row, and a database trigger
(migration 0002) refuses UPDATE and DELETE of the table whatever the caller, so a bulk
`update()` or raw SQL cannot change one either. A correction is a new letter that names the one
it replaces.

A letter is rendered by the task worker after the decision commits (`LetterJob`): the decision
never waits for, nor depends on, the PDF. A failed rendering is retried and stays visible to
staff (the documents board) until it succeeds.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterKind(models.TextChoices):
    """Which decision a letter states; each has its own template."""

    APPROVAL = "approval", _("approval")
    REJECTION = "rejection", _("rejection")
    STOP = "stop", _("stop")
    AMENDMENT = "amendment", _("amendment decision")
    PAYMENT = "payment", _("payment")


class LetterJob(models.Model):
    """The request to render the letters of one decision (or payment), written in the decision's
    own transaction; the worker renders them, one per language the recipients read."""

    class JobStatus(models.TextChoices):
        PENDING = "pending", _("waiting to be rendered")
        DONE = "done", _("rendered")
        FAILED = "failed", _("failed")

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="letter_jobs"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LetterKind.choices)
    decision = models.ForeignKey(
        "applications.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letter_jobs",
    )
    payment = models.ForeignKey(
        "applications.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letter_jobs",
    )
    # The mail event to send once the letters exist ("" for a correction: nobody is re-mailed).
    event = models.CharField(max_length=40, blank=True)
    languages = models.CharField(_("languages"), max_length=20, default="nl")
    replaces = models.ForeignKey(
        "Letter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    correction_note = models.TextField(_("reason for the correction"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("letter rendering")
        verbose_name_plural = _("letter renderings")
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self):
        return f"{self.application} {self.kind} ({self.status})"

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class Letter(models.Model):
    """A stored letter: write-once bytes and their SHA-256."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("decision letter")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="letters"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DECISION)
    letter_kind = models.CharField(_("decision"), max_length=12, choices=LetterKind.choices)
    job = models.ForeignKey(LetterJob, on_delete=models.PROTECT, related_name="letters")
    language = models.CharField(_("language"), max_length=5)
    title = models.CharField(_("title"), max_length=200)
    content = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    created_at = models.DateTimeField(_("created at"))
    created_by_label = models.CharField(max_length=150, default="system")

    class Meta:
        ordering = ["created_at", "language", "id"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.UniqueConstraint(fields=["job", "language"], name="letter_one_per_job_language")
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("a stored letter is never changed: issue a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("a stored letter is never deleted")


# --- the EU de minimis register (documents/deminimis.py) -------------------------------------

REGISTER_TERM_WORKING_DAYS = 20
DUE_SOON_WORKING_DAYS = 5
INSTRUMENT = "grant"
AUTHORITY = "Agentschap Innoveren & Ondernemen (VLAIO)"
LEGAL_BASIS = "Commission Regulation (EU) 2023/2831 (de minimis aid)"


class RegisterEntry(models.Model):
    class Kind(models.TextChoices):
        ADD = "add", _("add")
        AMEND = "amend", _("amend")
        DELETE = "delete", _("delete")

    class EntryStatus(models.TextChoices):
        PENDING = "pending", _("to be entered")
        ACKNOWLEDGED = "acknowledged", _("entered")
        FAILED = "failed", _("refused by the register")

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="register_entries"
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    beneficiary_number = models.CharField(_("beneficiary (enterprise number)"), max_length=20)
    beneficiary_name = models.CharField(_("beneficiary"), max_length=200)
    nace_code = models.CharField(_("NACE code"), max_length=10, blank=True)
    nace_version = models.CharField(_("NACE version"), max_length=4, blank=True)
    # No main activity in the KBO register data: the entry is flagged for a manual look-up.
    nace_missing = models.BooleanField(_("NACE code missing"), default=False)
    granted_on = models.DateField(_("granted on"))
    amount_eur = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    instrument = models.CharField(_("instrument"), max_length=20, default=INSTRUMENT)
    authority = models.CharField(_("granting authority"), max_length=200, default=AUTHORITY)
    legal_basis = models.CharField(_("legal basis"), max_length=200, default=LEGAL_BASIS)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    register_id = models.CharField(_("register id"), max_length=100, blank=True)
    error = models.TextField(_("register's message"), blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("de minimis register entry")
        verbose_name_plural = _("de minimis register entries")
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_eur__gte=0), name="register_entry_amount_gte_0"
            )
        ]

    def __str__(self):
        return f"{self.application} {self.kind} {self.amount_eur}"
