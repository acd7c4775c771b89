from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "csgrants.catalogue"
    label = "catalogue"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from csgrants.catalogue import models
        from csgrants.catalogue.selectors import forget_policies
        from csgrants.core.reference import watch

        # What a cached policy version holds (catalogue.selectors.policy_in_force).
        for model in (
            models.PolicyVersion,
            models.PolicyRate,
            models.Package,
            models.EnterpriseKind,
        ):
            post_save.connect(
                forget_policies, sender=model, dispatch_uid=f"forget-{model.__name__}"
            )
            post_delete.connect(
                forget_policies, sender=model, dispatch_uid=f"forget-{model.__name__}-del"
            )
        # What every filing reads of the catalogue (core.reference).
        watch(models.EnterpriseKind, models.Package, models.PackageAlias, models.PolicyVersion)
        m2m_changed.connect(
            forget_policies,
            sender=models.PolicyVersion.admitted_packages.through,
            dispatch_uid="forget-admitted-packages",
        )
