from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "csgrants.enterprises"
    label = "enterprises"
