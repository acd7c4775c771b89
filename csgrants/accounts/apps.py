from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "csgrants.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from csgrants.accounts.language import adopt_choice_at_login

        user_logged_in.connect(adopt_choice_at_login, dispatch_uid="csgrants.language.login")
