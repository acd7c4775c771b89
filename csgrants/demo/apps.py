from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "csgrants.demo"
    label = "demo"
