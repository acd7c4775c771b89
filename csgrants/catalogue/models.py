"""The catalogue: packages and their former names, service providers and their tariffs, policy
versions, enterprise kinds and rejection reason codes. All of it is data an administrator
maintains; what was used in a decision is never edited in place (a new version instead)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from csgrants.core.money import MONEY_DIGITS

MONEY = MONEY_DIGITS


class Bilingual:
    """Pick the Dutch or English label following the active language: `obj.label` in a
    template, `obj.label()` in code, or `obj.label("letter")` for another pair of fields."""

    bilingual_field = "name"  # the pair <name>_nl / <name>_en that `label()` reads by default

    def label(self, field=None):
        field = field or self.bilingual_field
        lang = (get_language() or "nl")[:2]
        return getattr(self, f"{field}_{lang}", None) or getattr(self, f"{field}_nl")


class ServiceProvider(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")

    def __str__(self):
        return self.name


class Package(Bilingual, models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    is_extension = models.BooleanField(_("extension package"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The upgrade ladder (START 1 < MEDIUM 2 < PLUS 3): an upgrade goes only to a main package
    # of a higher rank. Empty: no upgrade leads to it or from it (Check & plan is a trajectory
    # of its own, not a step on the ladder).
    upgrade_rank = models.PositiveSmallIntegerField(
        _("upgrade rank"),
        null=True,
        blank=True,
        help_text=_(
            "Main packages only: an upgrade goes to a package of a higher rank. Leave empty for "
            "a package no upgrade leads to or from."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["is_extension", "sort_order", "code"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")

    def __str__(self):
        return self.code


class PackageAlias(models.Model):
    """A former name (light -> MEDIUM): history reports under today's code."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("former name"), max_length=80)

    class Meta:
        verbose_name = _("former package name")
        verbose_name_plural = _("former package names")
        constraints = [models.UniqueConstraint(Lower("name"), name="package_alias_unique_ci")]

    def __str__(self):
        return f"{self.name} -> {self.package.code}"


class Tariff(models.Model):
    """The price of a package at a provider, fixed in its offer and indexed over time."""

    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="tariffs")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="tariffs")
    amount_eur = models.DecimalField(_("price (EUR)"), **MONEY, validators=[MinValueValidator(0)])
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["provider", "package", "-valid_from"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "package", "valid_from"], name="tariff_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_eur__gte=0), name="tariff_amount_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.provider.code} {self.package.code} {self.amount_eur} ({self.valid_from})"


class EnterpriseKind(Bilingual, models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    sme_test = models.BooleanField(
        _("subject to the SME test"), default=True, help_text=_("Maatwerkbedrijven are exempt.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("enterprise kind")
        verbose_name_plural = _("enterprise kinds")

    def __str__(self):
        return self.code


class PolicyVersion(models.Model):
    """Effective-dated parameters of the scheme. An application records the version it was
    judged under; a version in use is never edited, a new one is added instead."""

    name = models.CharField(_("name"), max_length=120)
    valid_from = models.DateField(_("in force from"), unique=True)
    min_cost_eur = models.DecimalField(_("minimum trajectory cost (EUR)"), **MONEY)
    max_cost_eur = models.DecimalField(_("maximum trajectory cost (EUR)"), **MONEY)
    decision_term_working_days = models.PositiveSmallIntegerField(
        _("decision term (working days)"), default=10
    )
    recent_trajectory_years = models.PositiveSmallIntegerField(
        _("one trajectory per ... years"), default=4
    )
    straight_through = models.BooleanField(
        _("approve at once when every check passes"), default=False
    )
    final_report_term_days = models.PositiveSmallIntegerField(
        _("final report due (days after start)"), default=365
    )
    admitted_packages = models.ManyToManyField(
        Package, verbose_name=_("admitted packages"), blank=True
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_cost_eur__gte=models.F("min_cost_eur")),
                name="policy_cost_range",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"

    def rate_for(self, kind_code: str) -> Decimal | None:
        for rate in self.rates.all():
            if rate.enterprise_kind.code == kind_code:
                return rate.rate_pct
        return None

    def admitted_kind_codes(self) -> list[str]:
        return sorted(r.enterprise_kind.code for r in self.rates.all())


class PolicyRate(models.Model):
    """Subsidy rate per enterprise kind under a policy; a kind without a rate is not admitted."""

    policy = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="rates")
    enterprise_kind = models.ForeignKey(EnterpriseKind, on_delete=models.PROTECT, related_name="+")
    rate_pct = models.DecimalField(
        _("subsidy rate (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("subsidy rate")
        verbose_name_plural = _("subsidy rates")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise_kind"], name="policy_rate_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(rate_pct__gte=0, rate_pct__lte=100), name="policy_rate_0_100"
            ),
        ]


class ReasonCode(Bilingual, models.Model):
    bilingual_field = "label"

    code = models.CharField(_("code"), max_length=40, unique=True)
    label_nl = models.CharField(_("label (Dutch)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    letter_nl = models.TextField(_("letter text (Dutch)"), blank=True)
    letter_en = models.TextField(_("letter text (English)"), blank=True)
    # The rule the reason applies, as the decision letter cites it.
    legal_ground_nl = models.TextField(_("legal ground (Dutch)"), blank=True)
    legal_ground_en = models.TextField(_("legal ground (English)"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")

    def __str__(self):
        return self.code
