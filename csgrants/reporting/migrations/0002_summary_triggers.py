"""Once: the PostgreSQL triggers that keep the report summaries (reporting.summaries), and the
summaries computed from the data already there. Now a step without work: 0003 installs the
triggers and computes the summaries, because the live trigger SQL writes a column that 0003 adds.
Nothing on SQLite either way: the report queries the base tables there."""

from django.db import migrations


def install(apps, schema_editor):
    # See the module's docstring. A database that ran this step before keeps the triggers of
    # that time until 0003 replaces them.
    pass


def uninstall(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_report_summaries"),
        ("applications", "0005_report_group_statistics"),
        ("budgets", "0002_reserve_assignments_and_ledger_guards"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
