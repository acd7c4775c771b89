"""On PostgreSQL, the next number of a year's references in one round trip: the function takes
it from the year's sequence and creates that sequence on the year's first filing. Nothing on
SQLite, which counts in a table (ReferenceCounter)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION csgrants_next_reference_number(year integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    name text := 'csgrants_reference_' || year;
BEGIN
    BEGIN
        RETURN nextval(name);
    EXCEPTION WHEN undefined_table THEN
        -- The year's first filing. A concurrent first filing may create the sequence at the
        -- same moment: then its sequence stands.
        BEGIN
            EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', name);
        EXCEPTION WHEN unique_violation OR duplicate_table OR duplicate_object THEN
            NULL;
        END;
        RETURN nextval(name);
    END;
END
$$
"""

DROP = "DROP FUNCTION IF EXISTS csgrants_next_reference_number(integer)"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no parameters: % is plain text


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("applications", "0005_report_group_statistics")]

    operations = [migrations.RunPython(install, uninstall)]
