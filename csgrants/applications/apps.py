from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "csgrants.applications"
    label = "applications"
