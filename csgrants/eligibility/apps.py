from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "csgrants.eligibility"
    label = "eligibility"
