from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "csgrants.api"
    label = "api"
