"""The PostgreSQL triggers that keep the report summaries (reporting.summaries), and the
summaries computed once from the data already there. Nothing on SQLite: the report queries the
base tables there."""

from django.db import migrations


def install(apps, schema_editor):
    from csgrants.reporting import summaries

    summaries.install(schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        # Files stored before the triggers existed.
        summaries.rebuild()


def uninstall(apps, schema_editor):
    from csgrants.reporting import summaries

    summaries.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_report_summaries"),
        ("applications", "0005_report_group_statistics"),
        ("budgets", "0002_reserve_assignments_and_ledger_guards"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
