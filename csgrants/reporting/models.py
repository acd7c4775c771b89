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
