"""Read-only inspection of files: every change goes through the services (web, API,
commands), never through the admin."""

from django.contrib import admin

from csgrants.applications.models import (
    Amendment,
    Application,
    CheckResult,
    CheckRun,
    Decision,
    InfoRequest,
    StatusChange,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = readonly_fields = (
        "at",
        "from_status",
        "to_status",
        "actor_label",
        "note",
    )


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = Decision
    extra = 0
    fields = readonly_fields = (
        "decided_on",
        "outcome",
        "decided_by",
        "by_system",
        "note",
    )


class InfoRequestInline(ReadOnlyMixin, admin.TabularInline):
    model = InfoRequest
    extra = 0
    fields = readonly_fields = (
        "requested_on",
        "question",
        "answered_on",
        "answer",
    )


class AmendmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Amendment
    extra = 0
    fields = readonly_fields = (
        "kind",
        "package",
        "extra_cost_eur",
        "extra_subsidy_eur",
        "requested_on",
        "status",
        "decided_on",
    )


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "provider",
        "enterprise",
        "package",
        "status",
        "submitted_on",
        "decision_due_on",
        "subsidy_eur",
    ]
    list_filter = ["status", "provider", "package", "province", "enterprise_kind"]
    search_fields = ["reference", "enterprise_name", "enterprise__number"]
    list_select_related = ["provider", "enterprise", "package"]
    inlines = [StatusChangeInline, InfoRequestInline, DecisionInline, AmendmentInline]


class CheckResultInline(ReadOnlyMixin, admin.TabularInline):
    model = CheckResult
    extra = 0
    fields = readonly_fields = (
        "code",
        "outcome",
        "message_en",
    )


@admin.register(CheckRun)
class CheckRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["application", "run_at", "all_passed"]
    inlines = [CheckResultInline]
