from django.contrib import admin

from rdec_portal.admin_helpers import ReadOnlyAdmin
from rdec_portal.workflow.admin import AuditedModelAdmin
from service_center.legal.models import (
    Lawyer,
    LegalBooking,
    LegalConsultation,
    LegalSession,
    LegalSlot,
    LegalVenue,
)


@admin.register(LegalVenue)
class LegalVenueAdmin(AuditedModelAdmin):
    list_display = ["code", "name_zh", "agency", "sort_order", "is_active"]
    list_select_related = ["agency"]
    raw_id_fields = ["agency"]

    def has_delete_permission(self, request, obj=None):
        # Switch a venue off instead: its slots and bookings point at it.
        return False


@admin.register(Lawyer)
class LawyerAdmin(AuditedModelAdmin):
    list_display = ["name", "bar_number", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "bar_number"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalSession)
class LegalSessionAdmin(ReadOnlyAdmin):
    list_display = ["venue", "kind", "weekday", "on_date", "start_time", "end_time", "lawyer"]
    list_filter = ["venue", "kind", "is_active"]
    list_select_related = ["venue", "lawyer"]


@admin.register(LegalSlot)
class LegalSlotAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "venue", "lawyer", "is_withdrawn"]
    list_filter = ["venue", "is_withdrawn"]
    list_select_related = ["venue", "lawyer"]
    date_hierarchy = "starts_at"
    show_full_result_count = False


@admin.register(LegalBooking)
class LegalBookingAdmin(ReadOnlyAdmin):
    """Without the citizen's name and contact: their views are audited on the staff pages."""

    list_display = ["reference", "slot", "status", "channel", "topic", "booked_at"]
    list_filter = ["status", "channel", "topic"]
    search_fields = ["reference"]
    list_select_related = ["slot"]
    fields = ["reference", "slot", "status", "channel", "topic", "booked_by", "booked_at"]
    readonly_fields = fields
    show_full_result_count = False


@admin.register(LegalConsultation)
class LegalConsultationAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "venue", "topic", "lawyer"]
    list_filter = ["venue", "topic"]
    list_select_related = ["venue", "lawyer"]
    fields = ["held_on", "venue", "lawyer", "topic", "booking", "recorded_by"]
    readonly_fields = fields
    date_hierarchy = "held_on"
    show_full_result_count = False
