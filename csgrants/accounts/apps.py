from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "csgrants.accounts"
    label = "accounts"
