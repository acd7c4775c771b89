"""Catalogue administration. A policy version or tariff that a decision used is read-only: the
administrator adds a new version instead of editing history."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from csgrants.catalogue import bounds
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


class TariffForm(forms.ModelForm):
    """A tariff the policy would refuse is not saved (catalogue.bounds: a main package within
    the cost range of every policy version in force while it is valid; an extension leaving room
    for a main package)."""

    class Meta:
        model = Tariff
        fields = ["provider", "package", "amount_eur", "valid_from", "valid_to"]

    def clean(self):
        data = super().clean() or {}
        package, amount, valid_from = (data.get(k) for k in ("package", "amount_eur", "valid_from"))
        valid_to = data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The end lies before the start."))
        elif package is not None and amount is not None and valid_from is not None:
            refusal = bounds.tariff_refusal(
                is_extension=package.is_extension,
                amount=amount,
                valid_from=valid_from,
                valid_to=valid_to,
            )
            if refusal is not None:
                self.add_error("amount_eur", refusal)
        return data


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    form = TariffForm
    list_display = ["provider", "package", "amount_eur", "valid_from", "valid_to"]
    list_filter = ["provider", "package"]


@admin.register(EnterpriseKind)
class EnterpriseKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nl", "name_en", "sme_test"]


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label_nl", "label_en", "active"]
