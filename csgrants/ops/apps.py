from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running csgrants in production: health check, request ids, structured logs, two-factor
    login, the answer to a database outage."""

    name = "csgrants.ops"
    label = "ops"
    verbose_name = _("Operations")
