"""A file keeps the enterprise name it was filed with (issue 20): the shared enterprise record is
the register's or the agency's, never a provider's typing. Existing files take today's name of
their enterprise record, in one statement."""

from django.db import migrations, models


def copy_names(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    Application.objects.filter(enterprise_name="").update(
        enterprise_name=models.Subquery(
            Enterprise.objects.filter(pk=models.OuterRef("enterprise_id")).values("name")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0013_amendment_confirmation"),
        ("enterprises", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="enterprise_name",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                max_length=320,
                verbose_name="enterprise name",
            ),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop, elidable=True),
    ]
