"""On PostgreSQL, the next free number of a year's references in one round trip: numbers from
the year's sequence (0006) are skipped while a file, imported history say, already has the
reference they make. The caller gives the reference's prefix and width, so that its format is
written once (applications.services)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION csgrants_next_free_reference_number(year integer, prefix text, width integer)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    LOOP
        n := csgrants_next_reference_number(year);
        -- The reference Python makes of n: at least `width` digits, zero-padded.
        EXIT WHEN NOT EXISTS (
            SELECT 1 FROM applications_application
            WHERE reference = prefix || lpad(n::text, greatest(width, length(n::text)), '0')
        );
    END LOOP;
    RETURN n;
END
$$
"""

DROP = "DROP FUNCTION IF EXISTS csgrants_next_free_reference_number(integer, text, integer)"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("applications", "0007_drop_redundant_indexes")]

    operations = [migrations.RunPython(install, uninstall)]
