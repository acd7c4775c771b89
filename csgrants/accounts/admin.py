from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from csgrants.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "service_provider", "is_active"]
    list_filter = ["role", "service_provider", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("csgrants"), {"fields": ["role", "service_provider", "language"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("csgrants"), {"fields": ["role", "service_provider", "language"]}),
    ]
