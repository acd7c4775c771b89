from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "csgrants.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from csgrants.catalogue import models
        from csgrants.core.reference import watch

        # What every filing reads of the catalogue, and what a kept policy version holds
        # (core.reference, catalogue.selectors.policy_in_force).
        watch(
            models.EnterpriseKind,
            models.Package,
            models.PackageAlias,
            models.PolicyVersion,
            models.PolicyRate,
            models.PolicyVersion.admitted_packages.through,
        )
