# A separate migration because the schema editor creates those indexes only at the end of the
# migration that creates the tables.

from django.db import migrations


def _drop_like_indexes(apps, schema_editor):
    # Django adds a varchar_pattern_ops "_like" index beside every CharField primary key on
    # PostgreSQL. Nothing queries the register with LIKE, and each such index would have to be
    # rebuilt on every full import (millions of rows), so they go.
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'enterprises_kbo%%' "
            "AND indexname LIKE '%%_like'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_kbo_register")]

    operations = [migrations.RunPython(_drop_like_indexes, migrations.RunPython.noop)]
