from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running csgrants in production: health check, request ids, structured logs, two-factor
    login, the answer to a database outage."""

    name = "csgrants.ops"
    label = "ops"
