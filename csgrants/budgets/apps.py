from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _create_budget_row(sender, instance, created, raw=False, **kwargs):
    # Infrastructure, not a business rule: the lock row that budget_commit locks must exist
    # before two approvals race for it, so it is made together with the provider.
    # `raw` (loaddata) is skipped; services.ensure_budget_row creates it on first use then.
    if created and not raw:
        from csgrants.budgets.services import ensure_budget_row

        ensure_budget_row(instance)


class BudgetsConfig(AppConfig):
    name = "csgrants.budgets"
    label = "budgets"
    verbose_name = _("Budgets")

    def ready(self):
        from csgrants.catalogue.models import ServiceProvider

        post_save.connect(
            _create_budget_row, sender=ServiceProvider, dispatch_uid="budgets.provider_budget_row"
        )
