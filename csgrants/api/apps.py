from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "csgrants.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from csgrants.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
