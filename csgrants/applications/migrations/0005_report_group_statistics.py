"""Extended statistics for the yearly report's GROUP BY (reporting.selectors.build_report).

The report groups the applications of a period by the years of three dates, status, enterprise
kind, province, package and amount band. Without statistics on that combination PostgreSQL
multiplies the distinct values of each key, expects about one group per row and aggregates in a
single process; with them it expects the few thousand groups there are and aggregates in
parallel workers (about twice as fast on a million files). No effect on writes: the statistics
are gathered by ANALYZE. The expressions must read exactly as the ones the report's query uses.
PostgreSQL only (CREATE STATISTICS on expressions needs PostgreSQL 14).
"""

from django.db import migrations

NAME = "application_report_groups"
CREATE = f"""
CREATE STATISTICS IF NOT EXISTS {NAME} (ndistinct) ON
    (EXTRACT(YEAR FROM submitted_on)), (EXTRACT(YEAR FROM decided_on)), (EXTRACT(YEAR FROM closed_on)),
    status, enterprise_kind, province, package_id,
    (CASE WHEN cost_eur < 10000 THEN 'lt_10000' WHEN cost_eur < 17500 THEN '10000_17499'
          WHEN cost_eur < 25000 THEN '17500_24999' WHEN cost_eur < 35000 THEN '25000_34999'
          ELSE 'gte_35000' END)
FROM applications_application
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_after_approval"),
    ]

    operations = [migrations.RunPython(create, drop)]
