"""The ledger page of one provider lists its lines oldest first, 200 a page: with a million lines
PostgreSQL read the date index and threw away the other providers' lines (issue 21)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0003_allocation_submission_token"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                fields=["provider", "entry_date", "id"], name="ledger_provider_date_id"
            ),
        ),
    ]
