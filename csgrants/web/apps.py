from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "csgrants.web"
    label = "web"
