"""Trigram indexes for the staff's and the providers' search (issue 21's page budget: a name
search tested every one of 1.1 million files, 1.6-2.9 s). Django writes `icontains` as
`UPPER(col::text) LIKE UPPER('%q%')`, so the indexes are on exactly that expression, with
pg_trgm's operator class. PostgreSQL only: SQLite has no such index and keeps its scan."""

from django.db import migrations

INDEXES = [
    ("application_reference_trgm", "reference"),
    ("application_enterprise_name_trgm", "enterprise_name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON applications_application "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("applications", "0014_application_enterprise_name")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
