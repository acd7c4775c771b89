from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "csgrants.applications"
    label = "applications"
    verbose_name = _("Applications")

    def ready(self):
        from csgrants.applications.selectors import policy_judged_a_file
        from csgrants.catalogue.selectors import register_policy_user

        # A file points at the policy version it was judged under (catalogue.selectors).
        register_policy_user(policy_judged_a_file)
