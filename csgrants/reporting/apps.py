from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "csgrants.reporting"
    label = "reporting"
    verbose_name = _("Statistics")

    def ready(self):
        # The budget screens read the yearly sums and the runway's positions from the
        # trigger-kept ledger summary on PostgreSQL (budgets sits below reporting: it is told).
        from csgrants.budgets import runway as budget_runway
        from csgrants.budgets import selectors as budget_selectors
        from csgrants.reporting import runway, summaries

        budget_selectors.use_year_rows(summaries.budget_year_rows)
        budget_runway.use_positions(runway.positions)
