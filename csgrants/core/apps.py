from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "csgrants.core"
    label = "core"
