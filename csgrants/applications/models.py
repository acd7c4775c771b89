"""Applications, their append-only status history, decisions, information requests, automated
check runs and amendments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Status is defined with its named groups in statuses.py; models' users may import it from here.
from csgrants.applications.statuses import GRANTED_STATUSES, Status
from csgrants.core.money import MONEY_DIGITS
from csgrants.core.postal import PROVINCES

MONEY = MONEY_DIGITS


class Capacity(models.TextChoices):
    """In what capacity the signatory speaks for the enterprise."""

    ZAAKVOERDER = "zaakvoerder", _("managing director (zaakvoerder)")
    BESTUURDER = "bestuurder", _("director (bestuurder)")
    GEVOLMACHTIGDE = "gevolmachtigde", _("mandated person (gevolmachtigde)")


class ReferenceCounter(models.Model):
    """Last sequence number handed out per year, locked while a reference is made."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Application(models.Model):
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    # No index of its own for provider or status: (provider, status) and (status,
    # decision_due_on) below serve every lookup by either, and each index is written again by
    # the insert and by every status change.
    provider = models.ForeignKey(
        "catalogue.ServiceProvider",
        verbose_name=_("service provider"),
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # What the enterprise was when the file was made (name, kind, seat), as the provider filed
    # it: every screen, letter and check of the file reads these, and statistics report on them,
    # never on whatever the shared enterprise record says today (which another provider's filing
    # must not change; see enterprises.services.enterprise_for_filing).
    # Empty also in the database: the history import's bulk path (COPY) names its columns.
    enterprise_name = models.CharField(
        _("enterprise name"), max_length=320, blank=True, default="", db_default=""
    )
    enterprise_kind = models.CharField(_("enterprise kind"), max_length=40, default="kmo")
    postal_code = models.CharField(_("postal code"), max_length=4)
    province = models.CharField(
        _("province"), max_length=6, blank=True, choices=[(k, v[0]) for k, v in PROVINCES.items()]
    )
    # The main package as filed; an approved upgrade changes `current_package` only.
    package = models.ForeignKey(
        "catalogue.Package",
        verbose_name=_("package"),
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,  # application_package_submitted serves the key's lookups too
    )
    current_package = models.ForeignKey(
        "catalogue.Package", on_delete=models.PROTECT, related_name="+"
    )
    extensions = models.ManyToManyField(
        "catalogue.Package", verbose_name=_("extension packages"), blank=True, related_name="+"
    )
    cost_eur = models.DecimalField(_("quoted cost (EUR)"), **MONEY)
    rate_pct = models.DecimalField(
        _("subsidy rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    subsidy_eur = models.DecimalField(_("subsidy (EUR)"), **MONEY, null=True, blank=True)
    policy = models.ForeignKey(
        "catalogue.PolicyVersion",
        verbose_name=_("policy version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declaration = models.JSONField(_("declaration on honour"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=21, choices=Status.choices, default=Status.DRAFT
    )
    # The person who speaks for the enterprise and confirms the declaration on honour
    # (contracts/enterprise-confirmation.md); the file's language is the signatory's.
    # Empty also in the database: the history import's bulk path (COPY) leaves them out.
    signatory_name = models.CharField(
        _("signatory"), max_length=200, blank=True, default="", db_default=""
    )
    signatory_email = models.EmailField(
        _("signatory's e-mail"), max_length=254, blank=True, default="", db_default=""
    )
    signatory_capacity = models.CharField(
        _("signatory's capacity"),
        max_length=20,
        choices=Capacity.choices,
        blank=True,
        default="",
        db_default="",
    )
    language = models.CharField(
        _("language of the file"),
        max_length=2,
        choices=[("nl", "Nederlands"), ("en", "English")],
        default="nl",
        # Also in the database: the history import's bulk path (COPY) leaves it out.
        db_default="nl",
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decision_due_on = models.DateField(_("decision due on"), null=True, blank=True)
    paused_since = models.DateField(_("clock paused since"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    closed_on = models.DateField(_("ended on"), null=True, blank=True)
    # Set at decision: working days from submission (exclusive) to decision (inclusive) minus the
    # days paused for information requests. Stored so that statistics over a million files need
    # no per-row calendar arithmetic.
    processing_working_days = models.PositiveIntegerField(
        _("processing time (working days)"), null=True, blank=True
    )
    paused_working_days = models.PositiveIntegerField(_("clock paused (working days)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    imported = models.BooleanField(_("imported from history"), default=False)
    # The one-time token of the web form that filed it: the same form sent twice (a double
    # click on "Aanvraag indienen") makes one file (issue 20; services.application_create).
    submission_token = models.UUIDField(
        _("form submission"), null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["status", "decision_due_on"]),
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["submitted_on"]),
            # A package's first filing (reporting.inflow.changes): one index probe per package.
            models.Index(fields=["package", "submitted_on"], name="application_package_submitted"),
            # Covering index for the yearly statistics (reporting.selectors): enterprises reached,
            # extension packages and refusals of a period are read from it, not from the wide rows.
            models.Index(
                fields=["decided_on"],
                include=["id", "status", "provider", "enterprise"],
                name="application_decided_cover",
            ),
            # The same for one provider's figures (its inflow's distinct enterprises, its
            # amendments joined by id), read without the wide rows.
            models.Index(
                fields=["provider", "decided_on"],
                include=["id", "status", "package", "enterprise"],
                name="application_provider_decided",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost_eur__gte=0), name="application_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(subsidy_eur__isnull=True) | models.Q(subsidy_eur__gte=0),
                name="application_subsidy_gte_0",
            ),
            models.CheckConstraint(
                # NOT NULL said explicitly: a CHECK whose condition is NULL passes.
                condition=~models.Q(status__in=GRANTED_STATUSES)
                | models.Q(subsidy_eur__isnull=False, subsidy_eur__gt=0),
                name="application_granted_has_subsidy",
            ),
        ]

    def __str__(self):
        return self.reference


class StatusChange(models.Model):
    """Append-only history: every transition, who made it, when, with a note."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from"), max_length=21, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=21, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("time"))
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        indexes = [
            # The funnel (reporting.funnel) takes the files filed in a year by the date of their
            # first history row; a small partial index (one entry per file) finds them.
            models.Index(
                fields=["on"],
                include=["application"],
                condition=models.Q(from_status=""),
                name="status_change_filed_on",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("status history is append-only")
        super().save(*args, **kwargs)


class Decision(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        STOPPED = "stopped", _("stopped")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    amendment = models.ForeignKey(
        "Amendment", null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_system = models.BooleanField(_("decided by the system"), default=False)
    reasons = models.ManyToManyField("catalogue.ReasonCode", verbose_name=_("reasons"), blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")


class InfoRequest(models.Model):
    """An information request pauses the decision clock until the provider answers."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="info_requests"
    )
    requested_on = models.DateField(_("requested on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question"))
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["requested_on", "id"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")


class CheckRun(models.Model):
    """One run of the automated checks; a re-check adds a run, earlier runs stay."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="check_runs"
    )
    run_at = models.DateTimeField(_("run at"), auto_now_add=True)
    policy = models.ForeignKey(
        "catalogue.PolicyVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    all_passed = models.BooleanField(default=False)

    class Meta:
        ordering = ["run_at", "id"]


class CheckResult(models.Model):
    class Outcome(models.TextChoices):
        PASS = "pass", _("pass")
        WARN = "warn", _("warning")
        FAIL = "fail", _("fail")

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="results")
    code = models.CharField(_("check"), max_length=40)
    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices)
    message_nl = models.TextField()
    message_en = models.TextField()
    inputs = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]


class Amendment(models.Model):
    """After approval: an upgrade of the main package or an added extension package."""

    class Kind(models.TextChoices):
        UPGRADE = "upgrade", _("upgrade")
        EXTENSION = "extension", _("extension package")

    class AmendmentStatus(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="amendments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    package = models.ForeignKey("catalogue.Package", on_delete=models.PROTECT, related_name="+")
    extra_cost_eur = models.DecimalField(_("extra cost (EUR)"), **MONEY)
    extra_subsidy_eur = models.DecimalField(
        _("extra subsidy (EUR)"), **MONEY, null=True, blank=True
    )
    policy = models.ForeignKey(
        "catalogue.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField(_("requested on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AmendmentStatus.choices,
        default=AmendmentStatus.SUBMITTED,
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The amendment's own checks (de minimis with the extra subsidy, total cost within the
    # policy's range), stored as run so that the decision can be replayed.
    # Nullable: the history import writes amendments with COPY and has no checks to give.
    checks = models.JSONField(_("checks"), default=list, blank=True, null=True)
    checks_passed = models.BooleanField(_("every check passed"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requested_on", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        indexes = [
            # Covering index for the yearly report's amendment counts and subsidies
            # (reporting.selectors): a year's approved amendments without their rows.
            models.Index(
                fields=["decided_on"],
                include=["id", "application", "status", "kind", "extra_subsidy_eur"],
                name="amendment_decided_cover",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extra_cost_eur__gte=0), name="amendment_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(extra_subsidy_eur__isnull=True)
                | models.Q(extra_subsidy_eur__gte=0),
                name="amendment_subsidy_gte_0",
            ),
        ]


# --- the enterprise's confirmation (contracts/enterprise-confirmation.md) ----------------------


class ConfirmationRequest(models.Model):
    """One personal link mailed to the signatory. The token itself is never stored: it is an
    HMAC of `nonce` under the SECRET_KEY (so the mail task can rebuild it from this row), and
    the link is found by the SHA-256 of the token."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="confirmation_requests"
    )
    nonce = models.CharField(max_length=64)
    token_sha256 = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("sent to"), max_length=254)
    language = models.CharField(_("language"), max_length=2, default="nl")
    requested_at = models.DateTimeField(_("sent at"))
    requested_on = models.DateField(_("sent on"))
    expires_at = models.DateTimeField(_("valid until"))
    # A re-confirmation after a change of what was declared: the decision clock is paused
    # while the enterprise has not confirmed again.
    reconfirmation = models.BooleanField(_("re-confirmation"), default=False)
    # An amendment proposed after approval changes what was declared: the enterprise confirms
    # it through its own link before the agency decides on it (the file keeps its status).
    amendment = models.ForeignKey(
        "Amendment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="confirmation_requests",
        verbose_name=_("amendment"),
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # A newer link (resend, a new submission) or a recall by the provider replaced this one.
    superseded_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("confirmation request")
        verbose_name_plural = _("confirmation requests")


class Confirmation(models.Model):
    """Append-only: what the enterprise confirmed (or, later, withdrew), with the SHA-256 of the
    exact declaration text it was shown, the name it typed and where from."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WITHDRAWN = "withdrawn", _("confirmation withdrawn")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="confirmations"
    )
    request = models.ForeignKey(
        ConfirmationRequest, on_delete=models.PROTECT, related_name="confirmations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    declaration_sha256 = models.CharField(_("SHA-256 of the declaration"), max_length=64)
    declaration_text = models.TextField(_("declaration shown"))
    language = models.CharField(_("language"), max_length=2)
    name = models.CharField(_("name typed"), max_length=200)
    capacity = models.CharField(_("capacity"), max_length=20, choices=Capacity.choices)
    email = models.EmailField(_("signatory's e-mail"), max_length=254)
    at = models.DateTimeField(_("time"))
    on = models.DateField(_("date"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        indexes = [models.Index(fields=["email", "kind"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("confirmations are append-only")
        super().save(*args, **kwargs)


# --- after approval: final report and payment ------------------------------------------------


class CyFunFunction(models.TextChoices):
    """The five functions of the CyberFundamentals framework (CCB; NIST CSF based)."""

    IDENTIFY = "identify", _("identify")
    PROTECT = "protect", _("protect")
    DETECT = "detect", _("detect")
    RESPOND = "respond", _("respond")
    RECOVER = "recover", _("recover")


MATURITY_FIELDS = (
    "documentation_before",
    "implementation_before",
    "documentation_after",
    "implementation_after",
)


def _one_to_five(field: str, prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5}), name=f"{prefix}_{field}_1_5"
    )


class FinalReport(models.Model):
    """The provider's final report (eindverslag). A report sent back stays as it was; the provider
    files a new one, so the history of what was reported is kept."""

    class ReportStatus(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        SENT_BACK = "sent_back", _("sent back")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="final_reports"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    work_delivered = models.TextField(_("work delivered"))
    actual_cost_eur = models.DecimalField(_("actual cost (EUR)"), **MONEY)
    made_progress = models.BooleanField(_("the enterprise made progress in cybersecurity maturity"))
    keep_investing = models.BooleanField(_("the enterprise is convinced to keep investing"))
    satisfaction_score = models.PositiveSmallIntegerField(_("satisfaction (1-5)"))
    testimonial_consent = models.BooleanField(_("consent to a testimonial"), default=False)
    testimonial = models.TextField(_("testimonial"), blank=True)
    submitted_on = models.DateField(_("submitted on"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff_note = models.TextField(_("note from the agency"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_on", "id"]
        verbose_name = _("final report")
        verbose_name_plural = _("final reports")
        indexes = [models.Index(fields=["status", "reviewed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actual_cost_eur__gte=0), name="final_report_cost_gte_0"
            ),
            _one_to_five("satisfaction_score", "final_report"),
            # Only one report per file can be under review or accepted at a time.
            models.UniqueConstraint(
                fields=["application"],
                condition=~models.Q(status="sent_back"),
                name="final_report_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.application} final report {self.submitted_on}"


class MaturityScore(models.Model):
    """CyberFundamentals-style maturity of one function, before and after the trajectory: the
    documentation (policy) maturity and the implementation maturity, each 1 (initial) to 5
    (optimising), as in the CyFun self-assessment tool."""

    report = models.ForeignKey(FinalReport, on_delete=models.CASCADE, related_name="maturity")
    function = models.CharField(_("function"), max_length=10, choices=CyFunFunction.choices)
    documentation_before = models.PositiveSmallIntegerField(_("documentation before"))
    implementation_before = models.PositiveSmallIntegerField(_("implementation before"))
    documentation_after = models.PositiveSmallIntegerField(_("documentation after"))
    implementation_after = models.PositiveSmallIntegerField(_("implementation after"))

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("maturity score")
        verbose_name_plural = _("maturity scores")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "function"], name="maturity_one_per_function"
            ),
            *[_one_to_five(f, "maturity") for f in MATURITY_FIELDS],
        ]


class Payment(models.Model):
    """The agency's payment to the provider: rate x min(actual cost, approved cost), capped at
    the committed subsidy. One per file; the figures it was computed from are kept."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="payment"
    )
    paid_on = models.DateField(_("paid on"))
    amount_eur = models.DecimalField(_("amount paid (EUR)"), **MONEY)
    rate_pct = models.DecimalField(_("subsidy rate (%)"), max_digits=5, decimal_places=2)
    actual_cost_eur = models.DecimalField(_("actual cost (EUR)"), **MONEY)
    approved_cost_eur = models.DecimalField(_("approved cost (EUR)"), **MONEY)
    committed_eur = models.DecimalField(_("committed subsidy (EUR)"), **MONEY)
    released_eur = models.DecimalField(_("released (EUR)"), **MONEY)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["paid_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_eur__gte=0), name="payment_amount_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_eur__lte=models.F("committed_eur")),
                name="payment_within_commitment",
            ),
        ]

    def __str__(self):
        return f"{self.application} paid {self.amount_eur}"
