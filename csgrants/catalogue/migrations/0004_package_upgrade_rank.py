"""The upgrade ladder of the main packages: START < MEDIUM < PLUS (issue 20, item 4). Check & plan
and the extension packages are not on it."""

from django.db import migrations, models

LADDER = {"START": 1, "MEDIUM": 2, "PLUS": 3}


def seed(apps, schema_editor):
    Package = apps.get_model("catalogue", "Package")
    for code, rank in LADDER.items():
        Package.objects.filter(code=code, is_extension=False).update(upgrade_rank=rank)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_reason_legal_grounds")]

    operations = [
        migrations.AddField(
            model_name="package",
            name="upgrade_rank",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text=(
                    "Main packages only: an upgrade goes to a package of a higher rank. Leave "
                    "empty for a package no upgrade leads to or from."
                ),
                null=True,
                verbose_name="upgrade rank",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
