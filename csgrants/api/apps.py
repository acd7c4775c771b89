from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "csgrants.api"
    label = "api"

    def ready(self):
        from csgrants.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
