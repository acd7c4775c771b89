from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "csgrants.imports"
    label = "imports"
