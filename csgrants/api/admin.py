from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from csgrants.api.models import ApiToken
from csgrants.api.tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `create_api_user` (the key is shown once); here they are listed and
    revoked. The hash is never shown: it is of no use to anyone."""

    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "user__username", "name"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(actor=request.user, token=token)
        messages.success(request, _("Tokens revoked."))
