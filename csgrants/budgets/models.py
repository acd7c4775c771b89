"""Framework agreements, allocations per provider and the append-only budget ledger. Every
balance is derived from ledger lines; nothing stores a running total."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class FrameworkAgreement(models.Model):
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    procurement_round = models.CharField(_("procurement round"), max_length=120, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    providers = models.ManyToManyField(
        "catalogue.ServiceProvider", related_name="framework_agreements", blank=True
    )

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")

    def __str__(self):
        return self.reference


class Allocation(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("initial allocation")
        TOP_UP = "top_up", _("top-up")
        RESERVE = "reserve", _("reserve for new providers")

    agreement = models.ForeignKey(
        FrameworkAgreement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    # A reserve is not yet any provider's money.
    provider = models.ForeignKey(
        "catalogue.ServiceProvider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    allocated_on = models.DateField(_("date"))
    amount_eur = models.DecimalField(_("amount (EUR)"), **MONEY)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INITIAL)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["allocated_on", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_eur__gt=0), name="allocation_amount_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="reserve") | models.Q(provider__isnull=False),
                name="allocation_provider_unless_reserve",
            ),
        ]

    def __str__(self):
        return f"{self.allocated_on} {self.provider or '-'} {self.amount_eur}"


class ProviderBudget(models.Model):
    """One row per provider, locked with SELECT ... FOR UPDATE before any commitment so that two
    approvals racing for the last euro are serialised."""

    provider = models.OneToOneField(
        "catalogue.ServiceProvider", on_delete=models.PROTECT, related_name="budget"
    )

    def __str__(self):
        return str(self.provider)


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        ALLOCATE = "allocate", _("allocation")
        COMMIT = "commit", _("commitment")
        RELEASE = "release", _("release")
        REALISE = "realise", _("payment")

    provider = models.ForeignKey(
        "catalogue.ServiceProvider", on_delete=models.PROTECT, related_name="ledger"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount_eur = models.DecimalField(_("amount (EUR)"), **MONEY)
    entry_date = models.DateField(_("date"), db_index=True)
    allocation = models.ForeignKey(
        Allocation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
    )
    amendment = models.ForeignKey(
        "applications.Amendment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_date", "id"]
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        indexes = [models.Index(fields=["provider", "kind"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_eur__gt=0), name="ledger_amount_gt_0"),
        ]

    def save(self, *args, **kwargs):
        # Append-only: a correction is a new line, never an edit.
        if self.pk is not None:
            raise TypeError("ledger lines are append-only")
        super().save(*args, **kwargs)
