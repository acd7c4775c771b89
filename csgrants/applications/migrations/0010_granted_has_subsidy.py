"""A granted file (approved, in progress, completed, closed, stopped) has a subsidy above zero: the database
says so (issue 19). Before, an imported open file without subsidy_eur could be approved for
EUR 0, so that the provider's budget never saw it. Such files are priced here first, as filing
prices them (rate x cost, half-up to the cent; the rate the file records, else the one of the
policy in force on its submission date), and the commitment the approval should have made is
added to the ledger, dated at the decision. A file that cannot be priced (no rate for its kind)
stops the migration with its reference: a person decides what it should have been."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations, models

# applications.statuses.GRANTED_STATUSES when this was written.
GRANTED = ("approved", "in_progress", "completed", "closed", "stopped")


def price_granted_files_without_subsidy(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    PolicyVersion = apps.get_model("catalogue", "PolicyVersion")
    PolicyRate = apps.get_model("catalogue", "PolicyRate")
    LedgerEntry = apps.get_model("budgets", "LedgerEntry")
    unpriced = Application.objects.filter(status__in=GRANTED).filter(
        models.Q(subsidy_eur__isnull=True) | models.Q(subsidy_eur__lte=0)
    )
    stuck = []
    for app in unpriced.iterator():
        rate = app.rate_pct
        if rate is None and app.submitted_on is not None:
            policy = (
                PolicyVersion.objects.filter(valid_from__lte=app.submitted_on)
                .order_by("-valid_from")
                .first()
            )
            found = PolicyRate.objects.filter(
                policy=policy, enterprise_kind__code=app.enterprise_kind
            ).first()
            rate = found.rate_pct if found else None
        subsidy = (
            (app.cost_eur * rate / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if rate is not None
            else None
        )
        if not subsidy or subsidy <= 0:
            stuck.append(app.reference)
            continue
        Application.objects.filter(pk=app.pk).update(subsidy_eur=subsidy, rate_pct=rate)
        committed = sum(
            LedgerEntry.objects.filter(
                application_id=app.pk, amendment__isnull=True, kind="commit"
            ).values_list("amount_eur", flat=True),
            Decimal(0),
        )
        # A stopped file released its commitment: it is priced, its ledger left as it is.
        if committed < subsidy and app.status != "stopped":
            LedgerEntry.objects.create(
                provider_id=app.provider_id,
                kind="commit",
                amount_eur=subsidy - committed,
                entry_date=app.decided_on or app.submitted_on,
                application_id=app.pk,
                note="approved without a subsidy; priced by migration applications 0010",
            )
    if stuck:
        raise RuntimeError(
            "approved files without a subsidy that no rate prices (set subsidy_eur, then "
            f"migrate again): {', '.join(stuck[:50])}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0009_funnel_filed_index"),
        ("budgets", "0002_reserve_assignments_and_ledger_guards"),
        ("catalogue", "0002_seed_catalogue"),
    ]

    operations = [
        migrations.RunPython(price_granted_files_without_subsidy, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=~models.Q(status__in=GRANTED)
                | models.Q(subsidy_eur__isnull=False, subsidy_eur__gt=0),
                name="application_granted_has_subsidy",
            ),
        ),
    ]
