from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "csgrants.budgets"
    label = "budgets"
