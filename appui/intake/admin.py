"""Technical administration of the entry point: read-only (changes go through the application,
which checks the rights and records the events)."""

from django.contrib import admin

from .models import (
    ComplexityScreening,
    ContactLog,
    GpInformation,
    IntakeSettings,
    RequestReason,
    RequestResponse,
    SupportRequest,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntakeSettings)
class IntakeSettingsAdmin(ReadOnlyAdmin):
    list_display = ["dac", "urgent_answer_days", "normal_answer_days", "number_year", "last_number"]


@admin.register(RequestReason)
class RequestReasonAdmin(ReadOnlyAdmin):
    list_display = ["label", "dac", "position", "is_active"]
    list_filter = ["is_active", "dac"]
    search_fields = ["label"]


class ResponseInline(admin.TabularInline):
    model = RequestResponse
    extra = 0
    fields = ["response_type", "given_at", "given_by", "summary"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "dac",
        "received_at",
        "channel",
        "requester_kind",
        "urgency",
        "status",
        "answer_due_at",
        "first_answered_at",
    ]
    list_filter = ["status", "urgency", "channel", "requester_kind", "dac"]
    search_fields = ["number"]
    date_hierarchy = "received_at"
    list_select_related = ["dac"]
    raw_id_fields = ["person", "requester_professional", "requester_organisation"]
    inlines = [ResponseInline]


@admin.register(ComplexityScreening)
class ComplexityScreeningAdmin(ReadOnlyAdmin):
    list_display = ["screened_at", "request", "is_positive", "suggested_level"]
    list_filter = ["is_positive", "suggested_level"]
    raw_id_fields = ["request", "person"]


@admin.register(RequestResponse)
class RequestResponseAdmin(ReadOnlyAdmin):
    list_display = ["given_at", "request", "response_type", "referral_accepted"]
    list_filter = ["response_type"]
    raw_id_fields = ["request", "referral_organisation"]


@admin.register(ContactLog)
class ContactLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "request", "with_whom", "duration_minutes"]
    list_filter = ["kind"]
    raw_id_fields = ["request", "person", "with_professional"]


@admin.register(GpInformation)
class GpInformationAdmin(ReadOnlyAdmin):
    list_display = ["request", "gp", "channel", "sent_at"]
    list_filter = ["channel"]
    raw_id_fields = ["request", "gp"]
