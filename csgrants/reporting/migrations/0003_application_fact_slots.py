"""Striped application facts: a slot per database session in the key, so that concurrent
filings of a provider's package in a province upsert different rows instead of queueing on one
until each commits (reporting.summaries.SLOT).

The live trigger SQL of reporting.summaries also writes the inflow's summaries, whose tables
come with 0006: installing the triggers and computing the summaries is left to that migration
(0002 left it to this one for the same reason). A database that ran this step before keeps its
triggers until 0006 replaces them.

Going back below this migration drops the triggers. An older release installs its own with
`manage.py migrate reporting 0001` and then `manage.py migrate` (its 0002 installs and rebuilds)."""

from django.db import migrations, models


def install(apps, schema_editor):
    pass  # see the module's docstring: 0006 installs and computes


def uninstall(apps, schema_editor):
    from csgrants.reporting import summaries

    summaries.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_summary_triggers"),
        ("applications", "0007_drop_redundant_indexes"),
        ("budgets", "0002_reserve_assignments_and_ledger_guards"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="applicationfact",
            name="report_application_fact_key",
        ),
        migrations.AddField(
            model_name="applicationfact",
            name="slot",
            field=models.SmallIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="applicationfact",
            constraint=models.UniqueConstraint(
                fields=(
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
                ),
                name="report_application_fact_key",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
