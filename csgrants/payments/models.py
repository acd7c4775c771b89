"""Payment orders to the finance department: the providers' bank accounts (changed with four
eyes), payment batches (prepared by one budget manager, approved by another) and their lines,
each answered by finance as paid or failed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class BankAccount(models.Model):
    """A provider's bank account. A new one is proposed by one person and becomes the provider's
    active account only when a second person approves it; the provider's registered contact is
    notified of the change before any batch pays to it."""

    class AccountStatus(models.TextChoices):
        PROPOSED = "proposed", _("waiting for a second approval")
        ACTIVE = "active", _("active")
        REJECTED = "rejected", _("rejected")
        SUPERSEDED = "superseded", _("replaced")

    provider = models.ForeignKey(
        "catalogue.ServiceProvider",
        verbose_name=_("service provider"),
        on_delete=models.PROTECT,
        related_name="bank_accounts",
    )
    holder = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    street = models.CharField(_("street"), max_length=70)
    building_number = models.CharField(_("number"), max_length=16)
    postal_code = models.CharField(_("postal code"), max_length=16)
    town = models.CharField(_("town"), max_length=35)
    country = models.CharField(_("country"), max_length=2, default="BE")
    status = models.CharField(
        _("status"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["provider", "-proposed_at", "-id"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=models.Q(status="active"),
                name="bank_account_one_active",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("proposed_by")),
                name="bank_account_four_eyes",
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.iban}"


class PaymentBatch(models.Model):
    class BatchStatus(models.TextChoices):
        PREPARED = "prepared", _("prepared, waiting for approval")
        APPROVED = "approved", _("approved, sent to finance")
        CLOSED = "closed", _("answered by finance")

    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PREPARED
    )
    execution_date = models.DateField(_("requested execution date"))
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("prepared_by")),
                name="payment_batch_four_eyes",
            )
        ]

    def __str__(self):
        return self.message_id


class PaymentLine(models.Model):
    class LineStatus(models.TextChoices):
        OPEN = "open", _("waiting for finance")
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="payment_lines"
    )
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="+")
    amount_eur = models.DecimalField(_("amount (EUR)"), **MONEY)
    # The Belgian structured communication (OGM/VCS) finance quotes back: +++123/4567/89012+++.
    structured_communication = models.CharField(
        _("structured communication"), max_length=12, unique=True
    )
    status = models.CharField(
        _("status"), max_length=6, choices=LineStatus.choices, default=LineStatus.OPEN
    )
    message = models.TextField(_("finance's message"), blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_eur__gt=0), name="payment_line_amount_gt_0"
            ),
            # A file is in at most one line that is not failed: it cannot be paid twice.
            models.UniqueConstraint(
                fields=["application"],
                condition=~models.Q(status="failed"),
                name="payment_line_one_live_per_file",
            ),
        ]

    def __str__(self):
        return f"{self.batch} {self.application} {self.amount_eur}"
