"""Read-only inspection of agreements, allocations and the ledger. Money is recorded on the
budget screens (top-up, new framework agreement, assignment from a reserve), which call the
services so that every allocation gets its ledger line and audit event; an admin form that saved
an Allocation directly would bypass both."""

from django.contrib import admin

from csgrants.budgets.models import Allocation, FrameworkAgreement, LedgerEntry


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AllocationInline(ReadOnlyMixin, admin.TabularInline):
    model = Allocation
    extra = 0
    fields = readonly_fields = (
        "allocated_on",
        "kind",
        "provider",
        "amount_eur",
        "reserve",
        "note",
    )


@admin.register(FrameworkAgreement)
class FrameworkAgreementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reference", "procurement_round", "start_date", "end_date"]
    search_fields = ["reference", "procurement_round"]
    filter_horizontal = ["providers"]
    inlines = [AllocationInline]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "allocated_on",
        "kind",
        "provider",
        "amount_eur",
        "agreement",
        "reserve",
        "note",
    ]
    list_filter = ["kind", "agreement", "provider"]
    search_fields = ["note", "provider__code", "provider__name"]
    date_hierarchy = "allocated_on"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "entry_date",
        "provider",
        "kind",
        "amount_eur",
        "application",
        "amendment",
        "note",
    ]
    list_filter = ["kind", "provider"]
    search_fields = ["application__reference", "note"]
    date_hierarchy = "entry_date"
    list_select_related = ["provider", "application", "amendment"]
    raw_id_fields = ["application", "amendment", "allocation", "actor"]
