from django.contrib import admin

from csgrants.enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "kind", "postal_code", "province", "region"]
    list_filter = ["kind", "province"]
    search_fields = ["number", "name"]
    readonly_fields = ["number", "province", "region"]
