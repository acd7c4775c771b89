from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "csgrants.catalogue"
    label = "catalogue"
