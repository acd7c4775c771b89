from django.contrib import admin

from csgrants.notifications.models import SentMail


@admin.register(SentMail)
class SentMailAdmin(admin.ModelAdmin):
    """Read-only: the log of what was sent."""

    list_display = ("sent_at", "event", "recipient", "language", "subject", "application")
    list_filter = ("event", "language")
    search_fields = ("recipient", "subject", "application__reference")
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
