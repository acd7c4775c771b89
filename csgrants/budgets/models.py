"""Framework agreements, allocations per provider and the append-only budget ledger.

Every balance is derived from ledger lines; nothing stores a running total (see selectors.py for
the balance formula and why it is what it is). Amounts are Decimal to the cent and the database
refuses zero or negative amounts, so a line's sign lives in its kind, never in its amount.

A *reserve* (at least EUR 2,000,000 kept for new providers from a new procurement) is not yet any
provider's money, so it has no provider and no ledger lines. Assigning part of it to a provider
records a new allocation for that provider that points back at the reserve (``reserve``); the
reserve's free amount is its amount minus those assignments. The provider's ledger thus shows
an ordinary allocate line, and the scheme-wide total counts each euro once: provider allocations
plus what is still free in the reserves.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from csgrants.core.money import MONEY_DIGITS

MONEY = MONEY_DIGITS


class FrameworkAgreement(models.Model):
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    procurement_round = models.CharField(_("procurement round"), max_length=120, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    providers = models.ManyToManyField(
        "catalogue.ServiceProvider",
        related_name="framework_agreements",
        blank=True,
        verbose_name=_("service providers"),
    )

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="agreement_end_after_start",
            ),
        ]

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
        verbose_name=_("framework agreement"),
    )
    # A reserve is not yet any provider's money: it never has a provider.
    provider = models.ForeignKey(
        "catalogue.ServiceProvider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("service provider"),
    )
    # Set on a provider's allocation that was taken out of a reserve.
    reserve = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("taken from reserve"),
    )
    allocated_on = models.DateField(_("date"))
    amount_eur = models.DecimalField(_("amount (EUR)"), **MONEY)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INITIAL)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The one-time token of the form that recorded it: the same form posted twice (a double
    # click, a browser resend) books the money once (issue 20, item 6).
    submission_token = models.UUIDField(
        _("form submission"), null=True, blank=True, unique=True, editable=False
    )
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
            models.CheckConstraint(
                condition=~models.Q(kind="reserve")
                | models.Q(provider__isnull=True, reserve__isnull=True),
                name="allocation_reserve_has_no_provider",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["initial", "top_up", "reserve"]),
                name="allocation_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.allocated_on} {self.provider or '-'} {self.amount_eur}"

    def save(self, *args, **kwargs):
        # An allocation is a fact in the ledger's history: a correction is a new allocation.
        if self.pk is not None:
            raise TypeError("allocations are not edited; record a new one")
        super().save(*args, **kwargs)


class ProviderBudget(models.Model):
    """One row per provider, locked with SELECT ... FOR UPDATE before any change to the
    provider's ledger so that two approvals racing for the last euro are serialised. It holds no
    figures: it exists to be locked. Created with the provider (see apps.py) and, failing that,
    race-free on first use (services.ensure_budget_row)."""

    # CASCADE: the row carries no data; a provider with ledger lines is protected by the ledger.
    provider = models.OneToOneField(
        "catalogue.ServiceProvider", on_delete=models.CASCADE, related_name="budget"
    )

    class Meta:
        verbose_name = _("provider budget lock")
        verbose_name_plural = _("provider budget locks")

    def __str__(self):
        return str(self.provider)


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("ledger lines are append-only")

    def delete(self):
        raise TypeError("ledger lines are append-only")


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        ALLOCATE = "allocate", _("allocation")
        COMMIT = "commit", _("commitment")
        RELEASE = "release", _("release")
        REALISE = "realise", _("payment")

    provider = models.ForeignKey(
        "catalogue.ServiceProvider",
        on_delete=models.PROTECT,
        related_name="ledger",
        verbose_name=_("service provider"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount_eur = models.DecimalField(_("amount (EUR)"), **MONEY)
    entry_date = models.DateField(_("date"), db_index=True)
    allocation = models.ForeignKey(
        Allocation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_lines",
        verbose_name=_("allocation"),
    )
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
        verbose_name=_("application"),
    )
    amendment = models.ForeignKey(
        "applications.Amendment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
        verbose_name=_("amendment"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["entry_date", "id"]
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        indexes = [
            models.Index(fields=["provider", "kind"]),
            # The ledger page of one provider, oldest first (a page of a million lines).
            models.Index(fields=["provider", "entry_date", "id"], name="ledger_provider_date_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_eur__gt=0), name="ledger_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["allocate", "commit", "release", "realise"]),
                name="ledger_kind_valid",
            ),
            # Every line says where it comes from: an allocation, or a file (application or
            # amendment). A line that points nowhere cannot be explained to an auditor.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="allocate", allocation__isnull=False)
                    | (
                        ~models.Q(kind="allocate")
                        & (models.Q(application__isnull=False) | models.Q(amendment__isnull=False))
                    )
                ),
                name="ledger_line_has_source",
            ),
        ]

    def __str__(self):
        return f"{self.entry_date} {self.provider} {self.kind} {self.amount_eur}"

    def save(self, *args, **kwargs):
        # Append-only: a correction is a new line, never an edit.
        if self.pk is not None:
            raise TypeError("ledger lines are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("ledger lines are append-only")
