"""Exact summaries of the yearly statistics, maintained by PostgreSQL triggers (summaries.py).

Each table holds, per key, the net count and sums of the rows of a base table that fall under
that key, so that the report reads a few thousand summary rows instead of a million files
(docs/statistics.md). Keys use sentinels instead of NULL (year 0, provider 0 = every provider)
so that the unique constraint matches them and the triggers' `ON CONFLICT` upserts apply.
Rows whose counts fell back to zero stay until `rebuild_report_summary` recomputes the tables;
readers skip them (the application facts once their slots are summed). On SQLite the tables
exist but stay empty: the report queries the base tables directly there.

No foreign keys: a summary row is not a reference, and a key check per upserted row would lock
the providers and enterprises for every write of an application.
"""

from django.db import models

SUM = {"max_digits": 20, "decimal_places": 2, "default": 0}


class ApplicationFact(models.Model):
    """Applications submitted or decided, grouped by exactly the keys the report's buckets and
    breakdowns need (reporting.selectors: submitted / approved / rejected / withdrawn)."""

    provider_id = models.BigIntegerField()
    enterprise_kind = models.CharField(max_length=40)
    province = models.CharField(max_length=6)
    package_id = models.BigIntegerField()
    status = models.CharField(max_length=21)  # as Application.status
    submitted_year = models.SmallIntegerField()  # 0: not submitted
    decided_year = models.SmallIntegerField()  # 0: not decided
    withdrawn_year = models.SmallIntegerField()  # 0: not a withdrawn submitted file
    band = models.CharField(max_length=12)
    n = models.BigIntegerField(default=0)
    cost_eur = models.DecimalField(**SUM)
    subsidy_eur = models.DecimalField(**SUM)
    calendar_days = models.BigIntegerField(default=0)  # sum of decided_on - submitted_on
    # Every filing of a provider's package in a province moves the same key: one row per key
    # would make concurrent filings queue on its lock until each commits. Each database session
    # writes its own slot of the key (summaries.SLOT); readers sum the slots.
    slot = models.SmallIntegerField(default=0)

    class Meta:
        db_table = "report_application_fact"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "provider_id",
                    "enterprise_kind",
                    "province",
                    "package_id",
                    "status",
                    "submitted_year",
                    "decided_year",
                    "withdrawn_year",
                    "band",
                    "slot",
                ],
                name="report_application_fact_key",
            )
        ]


class ProcessingFact(models.Model):
    """Decided files per processing time in working days (the distribution gives mean, median,
    maximum and the SLA count exactly). Apart from ApplicationFact: with the working days in
    its key that table would have 240,000 rows for a million files instead of 53,000."""

    provider_id = models.BigIntegerField()
    status = models.CharField(max_length=21)  # as Application.status
    decided_year = models.SmallIntegerField()
    working_days = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "report_processing_fact"
        constraints = [
            models.UniqueConstraint(
                fields=["provider_id", "status", "decided_year", "working_days"],
                name="report_processing_fact_key",
            )
        ]


class EnterpriseReach(models.Model):
    """Per decision year, provider (0 = every provider) and enterprise: its approved-class files
    and those of them with an extension package. Exists to keep ReachCount exact: an enterprise
    counts when its `n` goes from 0 to more."""

    year = models.SmallIntegerField()
    provider_id = models.BigIntegerField()
    enterprise_id = models.BigIntegerField()
    n = models.IntegerField(default=0)
    n_extension = models.IntegerField(default=0)

    class Meta:
        db_table = "report_enterprise_reach"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "provider_id", "enterprise_id"], name="report_enterprise_reach_key"
            )
        ]


class ReachCount(models.Model):
    """Distinct enterprises reached per decision year and provider (0 = every provider), and
    those with an extension package: the two distinct counts of the report, kept as numbers."""

    year = models.SmallIntegerField()
    provider_id = models.BigIntegerField()
    enterprises = models.IntegerField(default=0)
    enterprises_extension = models.IntegerField(default=0)

    class Meta:
        db_table = "report_reach_count"
        constraints = [
            models.UniqueConstraint(fields=["year", "provider_id"], name="report_reach_count_key")
        ]


class LedgerSum(models.Model):
    """Ledger lines per year of their date, provider and kind."""

    year = models.SmallIntegerField()
    provider_id = models.BigIntegerField()
    kind = models.CharField(max_length=10)
    n = models.BigIntegerField(default=0)
    amount_eur = models.DecimalField(**SUM)

    class Meta:
        db_table = "report_ledger_sum"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "provider_id", "kind"], name="report_ledger_sum_key"
            )
        ]


class RefusalCount(models.Model):
    """Reasons of refusals per decision year and provider: an application refused for two
    reasons counts once for each (reason code by id)."""

    year = models.SmallIntegerField()
    provider_id = models.BigIntegerField()
    reason_id = models.BigIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "report_refusal_count"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "provider_id", "reason_id"], name="report_refusal_count_key"
            )
        ]


# The dates after filing, in a FileStep row.
STEP_DATES = [
    "confirmed_on",
    "submitted_on",
    "decided_on",
    "approved_on",
    "started_on",
    "paid_on",
    "report_accepted_on",
]


class FileStep(models.Model):
    """Per file with status history: the first date of each step of the funnel (reporting.funnel),
    the provider and the main package. Kept by the triggers of reporting.file_steps."""

    application_id = models.BigIntegerField(primary_key=True)
    provider_id = models.BigIntegerField()
    package_id = models.BigIntegerField()
    filed_on = models.DateField(null=True)
    confirmed_on = models.DateField(null=True)
    submitted_on = models.DateField(null=True)
    decided_on = models.DateField(null=True)
    approved_on = models.DateField(null=True)
    started_on = models.DateField(null=True)
    paid_on = models.DateField(null=True)
    report_accepted_on = models.DateField(null=True)

    class Meta:
        db_table = "report_file_step"
        indexes = [
            models.Index(fields=["filed_on"], name="report_file_step_filed_on"),
            # One provider's or one package's funnel of a year (reporting.funnel), read from
            # the index alone: the year's rows are spread over the table.
            models.Index(
                fields=["provider_id", "filed_on"],
                include=["package_id", *STEP_DATES],
                name="report_file_step_provider",
            ),
            models.Index(
                fields=["package_id", "filed_on"],
                include=["provider_id", *STEP_DATES],
                name="report_file_step_package",
            ),
        ]


class FunnelCount(models.Model):
    """Files per filing year, provider, main package and the set of funnel steps they reached
    (`reached`: bit i set for step i of reporting.file_steps.STEPS, their own dates only; the
    chain steps a later one implies are added by the reader). From FileStep."""

    year = models.SmallIntegerField()
    provider_id = models.BigIntegerField()
    package_id = models.BigIntegerField()
    reached = models.IntegerField()
    n = models.BigIntegerField(default=0)
    slot = models.SmallIntegerField(default=0)  # as ApplicationFact.slot

    class Meta:
        db_table = "report_funnel_count"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "provider_id", "package_id", "reached", "slot"],
                name="report_funnel_count_key",
            )
        ]


class FunnelPair(models.Model):
    """Files per filing year, funnel step (its index in reporting.file_steps.STEPS) and the pair
    of dates it was reached on and the step before it was: the working days between them
    (their median) are counted when read, with the calendar of that day. From FileStep."""

    year = models.SmallIntegerField()
    step = models.SmallIntegerField()
    previous_on = models.DateField()
    reached_on = models.DateField()
    n = models.BigIntegerField(default=0)
    slot = models.SmallIntegerField(default=0)  # as ApplicationFact.slot

    class Meta:
        db_table = "report_funnel_pair"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "step", "previous_on", "reached_on", "slot"],
                name="report_funnel_pair_key",
            )
        ]


class InflowCount(models.Model):
    """Files submitted (by the month of submission) and approved (by the month of the approval
    decision) per provider and main package: the inflow's monthly counts (reporting.inflow)."""

    month = models.DateField()  # its first day
    provider_id = models.BigIntegerField()
    package_id = models.BigIntegerField()
    measure = models.CharField(max_length=9)  # "submitted" | "approved"
    n = models.BigIntegerField(default=0)
    slot = models.SmallIntegerField(default=0)  # as ApplicationFact.slot

    class Meta:
        db_table = "report_inflow_count"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "provider_id", "package_id", "measure", "slot"],
                name="report_inflow_count_key",
            )
        ]


class MonthReach(models.Model):
    """Per month of approval, main package (0: every package) and enterprise: its approved-class
    files. Exists to keep MonthReachCount exact, as EnterpriseReach keeps ReachCount."""

    month = models.DateField()
    package_id = models.BigIntegerField()
    enterprise_id = models.BigIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "report_month_reach"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "package_id", "enterprise_id"], name="report_month_reach_key"
            )
        ]


class MonthReachCount(models.Model):
    """Distinct enterprises with an approval per month and main package (0: every package): the
    inflow's `enterprises_reached`, kept as numbers."""

    month = models.DateField()
    package_id = models.BigIntegerField()
    enterprises = models.IntegerField(default=0)

    class Meta:
        db_table = "report_month_reach_count"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "package_id"], name="report_month_reach_count_key"
            )
        ]


class AmendmentCount(models.Model):
    """Approved amendments per decision year, provider (of their file) and kind, with their
    extra subsidy: the yearly report's amendments."""

    year = models.SmallIntegerField()
    provider_id = models.BigIntegerField()
    kind = models.CharField(max_length=10)
    n = models.BigIntegerField(default=0)
    subsidy_eur = models.DecimalField(**SUM)

    class Meta:
        db_table = "report_amendment_count"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "provider_id", "kind"], name="report_amendment_count_key"
            )
        ]
