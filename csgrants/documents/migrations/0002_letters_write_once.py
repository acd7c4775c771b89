"""A stored letter is never changed nor deleted, whatever the caller: the model refuses save()
of a stored row, and these triggers refuse UPDATE and DELETE in the database itself (a bulk
update(), raw SQL, the admin). On SQLite (development) only UPDATE is refused in the database:
Django's test flush empties tables there with DELETE, which a trigger would stop; the model
and the PROTECT foreign keys still refuse a deletion."""

from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION csgrants_letter_write_once() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a stored letter is never changed: issue a correction instead'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER documents_letter_write_once
    BEFORE UPDATE OR DELETE ON documents_letter
    FOR EACH ROW EXECUTE FUNCTION csgrants_letter_write_once();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS documents_letter_write_once ON documents_letter;
DROP FUNCTION IF EXISTS csgrants_letter_write_once();
"""
SQLITE = [
    """CREATE TRIGGER documents_letter_no_update BEFORE UPDATE ON documents_letter
    BEGIN SELECT RAISE(ABORT, 'a stored letter is never changed: issue a correction instead'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS documents_letter_no_update",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
