from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "csgrants.reporting"
    label = "reporting"
