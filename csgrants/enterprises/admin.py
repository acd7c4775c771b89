"""The agency's corrections to the shared enterprise records. Every save goes through the
services, which audit it with before and after (architecture.md, rule 15); a record is never
deleted here (files point at it, and the audit trail would lose its subject)."""

from django import forms
from django.contrib import admin

from csgrants.core.errors import ValidationFailed
from csgrants.enterprises.models import Enterprise
from csgrants.enterprises.services import (
    enterprise_correct,
    enterprise_create,
    enterprise_values,
    normalize_number,
)


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["number", "name", "kind", "postal_code"]

    def clean(self):
        cleaned = super().clean()
        # The services' own checks, so that a refusal shows on the form and not as an error page.
        try:
            if "number" in cleaned:
                cleaned["number"] = normalize_number(cleaned["number"], field="number")
            enterprise_values(
                name=cleaned.get("name", ""),
                kind=cleaned.get("kind", ""),
                postal_code=cleaned.get("postal_code", ""),
            )
        except ValidationFailed as exc:
            field = {"enterprise_name": "name"}.get(exc.field or "", exc.field)
            self.add_error(field if field in self.fields else None, exc.message)
        return cleaned


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    form = EnterpriseForm
    list_display = ["number", "name", "kind", "postal_code", "province", "region"]
    list_filter = ["kind", "province"]
    search_fields = ["number", "name"]
    readonly_fields = ["province", "region"]

    def get_readonly_fields(self, request, obj=None):
        # The number identifies the record: typed once, when the agency records it.
        return [*self.readonly_fields, "number"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {
            "name": form.cleaned_data["name"],
            "kind": form.cleaned_data["kind"],
            "postal_code": form.cleaned_data["postal_code"],
        }
        if change:
            saved = enterprise_correct(actor=request.user, enterprise=obj, **values)
        else:
            saved = enterprise_create(actor=request.user, number=obj.number, **values)
        obj.pk = saved.pk
        obj.refresh_from_db()
