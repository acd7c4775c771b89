"""Catalogue administration. A policy version or tariff that a decision used is read-only: the
administrator adds a new version instead of editing history."""

from django.contrib import admin

from csgrants.catalogue.models import (
    EnterpriseKind,
    Package,
    PackageAlias,
    PolicyRate,
    PolicyVersion,
    ReasonCode,
    ServiceProvider,
    Tariff,
)
from csgrants.catalogue.selectors import policy_in_use


class PackageAliasInline(admin.TabularInline):
    model = PackageAlias
    extra = 0


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nl", "name_en", "is_extension", "upgrade_rank", "active"]
    inlines = [PackageAliasInline]


@admin.register(ServiceProvider)
class ServiceProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "email", "active"]
    search_fields = ["code", "name"]


def _used_policy(policy) -> bool:
    return policy is not None and policy_in_use(policy.pk)


class PolicyRateInline(admin.TabularInline):
    model = PolicyRate
    extra = 0

    def has_change_permission(self, request, obj=None):
        return not _used_policy(obj)

    def has_add_permission(self, request, obj=None):
        return not _used_policy(obj)

    def has_delete_permission(self, request, obj=None):
        return not _used_policy(obj)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "valid_from",
        "min_cost_eur",
        "max_cost_eur",
        "decision_term_working_days",
        "straight_through",
    ]
    inlines = [PolicyRateInline]
    filter_horizontal = ["admitted_packages"]

    def has_change_permission(self, request, obj=None):
        return not _used_policy(obj)

    def has_delete_permission(self, request, obj=None):
        return not _used_policy(obj)


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ["provider", "package", "amount_eur", "valid_from", "valid_to"]
    list_filter = ["provider", "package"]


@admin.register(EnterpriseKind)
class EnterpriseKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nl", "name_en", "sme_test"]


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label_nl", "label_en", "active"]
